import { spawn, type ChildProcess } from 'node:child_process';
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
