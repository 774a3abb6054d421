import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NODE_FLAGS } from '@tally/config';
import { ManagedProcess } from '../stack/managed-process';
import { httpOk, waitUntil } from '../stack/readiness';
import { REPO_ROOT, TALLY_HOME } from '../stack/stack-paths';

export type BenchAppName = 'aggregation-api' | 'ingest-api' | 'processor-worker';

export interface CreatedTenant {
  readonly tenantId: string;
  readonly writeKey: string;
  readonly readKey: string;
}

/** A built app the bench starts and stops itself (its pid file under `.tally/bench`, named `<prefix>-<app>`). */
export const benchApp = (prefix: string, name: BenchAppName) =>
  new ManagedProcess(`${prefix}-${name}`, join(TALLY_HOME, 'bench'), join('dist', 'apps', name, 'main.js'));

/** Starts the built app as it runs everywhere (`APP_NODE_FLAGS`), with `env` on top of the bench's own environment. */
export function startBenchApp(app: ManagedProcess, name: BenchAppName, env: Record<string, string>): void {
  app.start(
    process.execPath,
    [...APP_NODE_FLAGS, ...extraNodeFlags(), join(REPO_ROOT, 'dist', 'apps', name, 'main.js')],
    { ...process.env, ...env },
    REPO_ROOT,
  );
}

/** `BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`: extra V8/Node flags for the apps, e.g. to profile a run. */
function extraNodeFlags(): string[] {
  return (process.env['BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
}

export function waitReady(name: string, app: ManagedProcess, url: string): Promise<void> {
  return waitUntil(name, () => httpOk(`${url}/health/ready`), {
    timeoutMs: 60_000,
    describeFailure: () => app.lastLogLines(),
    isDead: () => app.pid() === undefined,
  });
}

/** A tenant made through aggregation-api's admin API, its quotas lifted: the bench measures capacity, not quotas. */
export async function createTenant(apiUrl: string, adminToken: string, name: string): Promise<CreatedTenant> {
  const response = await fetch(`${apiUrl}/admin/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      quotas: { queriesPerMinute: 10_000_000, ingestEventsPerSecond: 10_000_000, ingestBurst: 10_000_000 },
    }),
  });
  if (response.status !== 201) throw new Error(`POST /admin/tenants: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedTenant;
}

/** Keeps no live keys behind: the tenant's data stays (and expires from Redis), its keys stop working. */
export async function disableTenant(apiUrl: string, adminToken: string, tenantId: string): Promise<void> {
  await fetch(`${apiUrl}/admin/tenants/${tenantId}/disable`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
  }).catch(() => undefined);
}

/** Runs `work` and tells how many cores the app's process used meanwhile, on average. */
export async function withCpu<T>(app: ManagedProcess, work: () => Promise<T>): Promise<{ result: T; cores: number }> {
  const pid = app.pid();
  const before = pid === undefined ? 0 : cpuSecondsOf(pid);
  const startedAt = performance.now();
  const result = await work();
  const seconds = (performance.now() - startedAt) / 1_000;
  const used = pid === undefined ? 0 : cpuSecondsOf(pid) - before;
  return { result, cores: Math.round((used / seconds) * 100) / 100 };
}

/** User + system CPU time of a process so far (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set of the app's process so far (the kernel's high-water mark). */
export function peakRssOf(app: ManagedProcess): number {
  const pid = app.pid();
  if (pid === undefined) return 0;
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1_024;
}
