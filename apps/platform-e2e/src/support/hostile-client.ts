import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { attackOnce, type AttackRound, type AttackTarget } from './tenant-attacks';

const HOSTILE_TARGET_FLAG = '--hostile-target';

/**
 * The hostile tenant's clients in a process of their own, as they would be on another
 * machine: parsing its answers and building its requests then never delays the
 * well-behaved tenant's clients in the test's event loop (measured there at up to 70 ms,
 * a third of what was being judged). Run by `tsx`, which the workspace uses for its tools.
 */
export class HostileClient {
  private constructor(private readonly child: ChildProcess) {}

  static start(target: AttackTarget): HostileClient {
    const root = resolve(__dirname, '..', '..', '..', '..');
    // tsx reads the workspace's tsconfig.json (its paths) from the working directory.
    const child = fork(__filename, [HOSTILE_TARGET_FLAG, JSON.stringify(target)], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new HostileClient(child);
  }

  /** Starts a round of attacks; `stop` ends its queries and live streams and resolves with every answer. */
  attack(round: number): { stop(): Promise<AttackRound> } {
    const done = new Promise<AttackRound>((resolveRound, reject) => {
      const onMessage = (message: { round?: number; report?: AttackRound; error?: string }) => {
        if (message.round !== round) return;
        this.child.off('message', onMessage);
        if (message.report) resolveRound(message.report);
        else reject(new Error(`the hostile client failed: ${message.error}`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code) => reject(new Error(`the hostile client exited (${code})`)));
    });
    this.child.send({ kind: 'attack', round });
    return {
      stop: () => {
        this.child.send({ kind: 'stop', round });
        return done;
      },
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolveExit) => this.child.once('exit', resolveExit));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** In the child: one round at a time, as the parent asks. */
function serve(target: AttackTarget): void {
  const running = new Map<number, AbortController>();
  process.on('message', (message: { kind: 'attack' | 'stop'; round: number }) => {
    if (message.kind === 'stop') {
      running.get(message.round)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.round, controller);
    attackOnce(target, message.round, controller.signal).then(
      (report) => process.send?.({ round: message.round, report }),
      (error: unknown) => process.send?.({ round: message.round, error: String(error) }),
    );
  });
}

const flag = process.argv.indexOf(HOSTILE_TARGET_FLAG);
if (flag >= 0 && process.send) serve(JSON.parse(process.argv[flag + 1] as string) as AttackTarget);
