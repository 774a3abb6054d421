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
  parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;

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
