import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

interface ComponentStatus {
  readonly name: string;
  readonly state: 'started' | 'running' | 'external' | 'stopped';
}

/** `npm run stack -- <args>` as an operator would run it. */
export async function stack(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'tools', 'bootstrap.mjs'), 'stack', ...args], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Whether the stack runs this component itself, so a test may stop and restart it.
 * Synchronous, so a suite can decide at collection time to run or visibly skip a test.
 */
export function isOwnedByStack(component: string): boolean {
  const out = execFileSync(process.execPath, [join(REPO_ROOT, 'tools', 'bootstrap.mjs'), 'stack', 'status', '--json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const rows = JSON.parse(out.trim()) as ComponentStatus[];
  return rows.find((r) => r.name === component)?.state === 'running';
}
