import { join } from 'node:path';
import { APP_NODE_FLAGS } from '@tally/config';
import { ManagedProcess } from '../stack/managed-process';
import { httpOk, waitUntil } from '../stack/readiness';
import { REPO_ROOT, TALLY_HOME } from '../stack/stack-paths';

export const APP_NAMES = ['ingest-api', 'processor-worker', 'aggregation-api'] as const;
export type LocalAppName = (typeof APP_NAMES)[number];

/** The built apps run by `npm start`, each its own process as in production, remembered by pid file. */
export class LocalApp {
  readonly entry: string;
  readonly process: ManagedProcess;

  constructor(
    readonly name: LocalAppName,
    readonly port: number,
  ) {
    this.entry = join(REPO_ROOT, 'dist', 'apps', name, 'main.js');
    this.process = new ManagedProcess(name, join(TALLY_HOME, 'apps'), this.entry);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    this.process.start(
      process.execPath,
      [...APP_NODE_FLAGS, '--enable-source-maps', this.entry],
      process.env,
      REPO_ROOT,
    );
  }

  waitReady(): Promise<void> {
    return waitUntil(this.name, () => httpOk(`${this.url}/health/ready`), {
      timeoutMs: 60_000,
      describeFailure: () => this.process.lastLogLines(),
      isDead: () => this.process.pid() === undefined,
    });
  }
}

/** The `npm start` process itself, so `npm stop` can ask it to shut down what it started. */
export const supervisorProcess = (): ManagedProcess =>
  new ManagedProcess('supervisor', join(TALLY_HOME, 'apps'), join('tools', 'dev', 'start.ts'));
