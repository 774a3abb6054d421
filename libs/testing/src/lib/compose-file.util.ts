import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A `ports:` entry: short syntax (`[HOST_IP:]HOST_PORT:CONTAINER_PORT`) or long. */
type ComposePort =
  string | number | { readonly target: number; readonly published?: number | string; readonly host_ip?: string };

interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string | string[];
  readonly environment?: Record<string, string | number> | string[];
  readonly ports?: ComposePort[];
  readonly volumes?: string[];
  readonly depends_on?: Record<string, unknown> | string[];
  readonly healthcheck?: unknown;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

export interface PublishedPort {
  /** The host address it is bound to; undefined is every interface. */
  readonly hostIp: string | undefined;
  /** The host port; undefined is one Docker picks. */
  readonly published: number | undefined;
  readonly target: number;
}

/**
 * A service's published ports. Refuses what it does not read (ranges, IPv6 addresses)
 * rather than get it wrong: a binding it misread could pass as loopback.
 */
export function publishedPortsOf(compose: ComposeFile, service: string): PublishedPort[] {
  return (compose.services[service]?.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return {
        hostIp: port.host_ip,
        published: port.published === undefined ? undefined : Number(port.published),
        target: port.target,
      };
    }
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length > 3 || !parts.slice(-2).every((p) => /^\d+$/.test(p)) || (parts.length === 3 && !parts[0])) {
      throw new Error(`${service}: ports entry ${JSON.stringify(port)} is not read here`);
    }
    const [target, published, hostIp] = [...parts].reverse();
    return { hostIp, published: published === undefined ? undefined : Number(published), target: Number(target) };
  });
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
 * under the same number (on whichever host address; deployment-files.spec.ts checks
 * that it is loopback), and Prometheus scrapes it there. Returns the disagreements.
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
  const ports = publishedPortsOf(compose, service);
  if (!ports.some((p) => p.published === app.httpPort && p.target === app.httpPort)) {
    problems.push(
      `${service} listens on ${app.httpPort} but publishes ${JSON.stringify(compose.services[service]?.ports ?? [])}`,
    );
  }
  if (!prometheusConfig.includes(`'${service}:${app.httpPort}'`)) {
    problems.push(`deploy/prometheus/prometheus.yml does not scrape ${service}:${app.httpPort}`);
  }
  return problems;
}

export const readRepoFile = (relativePath: string): string => readFileSync(join(REPO_ROOT, relativePath), 'utf8');
