import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A long-running process the stack started, remembered by a pid file in its run
 * directory. Only processes recorded here are ever signalled, and only while their
 * command line still names the marker they were started with, so a recycled PID
 * belonging to someone else is never killed.
 */
export class ManagedProcess {
  readonly pidFile: string;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly runDir: string,
    private readonly marker: string,
    /** The signal that asks it to stop quickly and cleanly (PostgreSQL's is SIGINT: SIGTERM waits for clients). */
    private readonly stopSignal: NodeJS.Signals = 'SIGTERM',
  ) {
    this.pidFile = join(runDir, `${name}.pid`);
    this.logFile = join(runDir, `${name}.log`);
  }

  /** PID of our live process, if there is one. */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !this.commandLineOf(pid).includes(this.marker)) {
      rmSync(this.pidFile, { force: true });
      return undefined;
    }
    return pid;
  }

  start(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
    cwd = this.runDir,
    user?: { readonly uid: number; readonly gid: number },
  ): number {
    mkdirSync(this.runDir, { recursive: true });
    const log = openSync(this.logFile, 'a');
    try {
      // detached: the service outlives the CLI that started it and gets its own process group,
      // so Ctrl-C in the terminal that ran `stack up` does not take it down by accident.
      const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log, log], ...user });
      if (child.pid === undefined) throw new Error(`${this.name}: could not start ${command}`);
      child.unref();
      writeFileSync(this.pidFile, String(child.pid));
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** Records an already running process (e.g. the current one) as this managed process. */
  adopt(pid: number): void {
    mkdirSync(this.runDir, { recursive: true });
    writeFileSync(this.pidFile, String(pid));
  }

  /** The stop signal (SIGTERM unless told), then SIGKILL after the grace period. Resolves once the process is gone. */
  async stop(graceMs = 20_000): Promise<boolean> {
    const pid = this.pid();
    if (pid === undefined) return false;
    process.kill(pid, this.stopSignal);
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
    }
    rmSync(this.pidFile, { force: true });
    return true;
  }

  lastLogLines(count = 30): string {
    if (!existsSync(this.logFile)) return '(no log yet)';
    const lines = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
    return lines.slice(-count).join('\n');
  }

  private commandLineOf(pid: number): string {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return '';
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it is not alive for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
