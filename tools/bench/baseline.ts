import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../stack/stack-paths';

/** Starts the bare Fastify baseline (`baseline-server.ts`) on `port`; `env` adds to this process's environment. */
export function startBaseline(port: number, env: Record<string, string> = {}): ChildProcess {
  // One process (tsx as a loader, not a wrapper), so the SIGTERM at the end reaches the server itself.
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'tools', 'bench', 'baseline-server.ts'), String(port)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 2],
    },
  );
}

export interface KafkaCeilingSpec {
  readonly brokers: readonly string[];
  readonly tenantId: string;
  readonly seconds: number;
  /** Callers publishing side by side, each waiting for its acknowledgement before the next. */
  readonly callers: number;
  readonly eventsPerCall: number;
}

export interface KafkaCeilingResult {
  readonly eventsPerSec: number;
  /** Per call, from publish until all in-sync replicas acknowledged it. */
  readonly p99Ms: number;
  /** CPU the publishing process used (its Kafka client), in cores. */
  readonly clientCores: number;
}

/** Runs `kafka-ceiling.ts` (the Kafka client alone, as ingest-api uses it) in a process of its own. */
export function runKafkaCeiling(spec: KafkaCeilingSpec): Promise<KafkaCeilingResult> {
  const args = [spec.brokers.join(','), spec.tenantId, spec.seconds, spec.callers, spec.eventsPerCall].map(String);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'tools', 'bench', 'kafka-ceiling.ts'), ...args],
      { cwd: REPO_ROOT, timeout: (spec.seconds + 60) * 1_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kafka-ceiling: ${error.message}\n${stderr.slice(-2_000)}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as KafkaCeilingResult);
      },
    );
  });
}
