import { execFile } from 'node:child_process';
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

/** Whether the stack runs this component itself, so a test may stop and restart it. */
export async function isOwnedByStack(component: string): Promise<boolean> {
  const rows = JSON.parse((await stack('status', '--json')).trim()) as ComponentStatus[];
  return rows.find((r) => r.name === component)?.state === 'running';
}
