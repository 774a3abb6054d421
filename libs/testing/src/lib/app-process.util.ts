import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_NODE_FLAGS } from '@tally/config';
import type { AppName } from './test-environment';

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A built app running as its own process, as in production, with its output kept for assertions. */
export interface RunningApp {
  readonly name: AppName;
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

export function builtAppEntry(name: AppName): string {
  const entry = join(REPO_ROOT, 'dist', 'apps', name, 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: build the apps first (npm test does; or run "npx nx run-many -t build")`);
  }
  return entry;
}

export function startApp(name: AppName, env: Record<string, string>): RunningApp {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, builtAppEntry(name)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return {
    name,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The routes Nest mapped at boot, read from an app's log (it must run with LOG_LEVEL=info). */
export function mappedRoutes(output: string): { readonly path: string; readonly method: string }[] {
  return [...output.matchAll(/Mapped \{([^,]+), (GET|POST|PUT|DELETE|PATCH)\} route/g)].map((m) => ({
    path: m[1] as string,
    method: m[2] as string,
  }));
}
