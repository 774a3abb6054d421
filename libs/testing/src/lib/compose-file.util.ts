import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly environment?: Record<string, string | number> | string[];
  readonly ports?: string[];
  readonly depends_on?: Record<string, unknown> | string[];
  readonly healthcheck?: unknown;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
}

export const loadComposeFile = (): ComposeFile =>
  parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;

/** A compose service's environment as the process would see it (all strings). */
export function composeEnvironmentOf(compose: ComposeFile, service: string): Record<string, string> {
  const found = compose.services[service];
  if (!found) throw new Error(`docker-compose.yml has no service "${service}"`);
  const env = found.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/**
 * What must agree between an app's parsed compose configuration and the rest of the
 * compose file: every host it dials is a compose service, its HTTP port is published
 * under the same number, and Prometheus scrapes it there. Returns the disagreements.
 */
export function composeDisagreements(
  compose: ComposeFile,
  service: string,
  app: { readonly httpPort: number; readonly dials: readonly string[] },
  prometheusConfig: string,
): string[] {
  const problems: string[] = [];
  for (const host of app.dials) {
    if (!compose.services[host]) problems.push(`${service} dials "${host}", which is not a compose service`);
  }
  const ports = compose.services[service]?.ports ?? [];
  if (!ports.includes(`${app.httpPort}:${app.httpPort}`)) {
    problems.push(`${service} listens on ${app.httpPort} but publishes ${JSON.stringify(ports)}`);
  }
  if (!prometheusConfig.includes(`'${service}:${app.httpPort}'`)) {
    problems.push(`deploy/prometheus/prometheus.yml does not scrape ${service}:${app.httpPort}`);
  }
  return problems;
}

export const readRepoFile = (relativePath: string): string => readFileSync(join(REPO_ROOT, relativePath), 'utf8');
