import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { inputsHash, isStampCurrent, writeStamp } from '../cache-stamp';
import { ManagedProcess } from '../managed-process';
import { hasCommand, requireCommand } from '../provision';
import { waitUntil } from '../readiness';
import { hostPortOf, type StackConfig } from '../stack-config';
import { CACHE_DIR, REPO_ROOT, runDirOf } from '../stack-paths';
import type { PostgresComponent } from './postgres.component';
import type { Log, StackComponent } from './stack-component';

const FERRETDB_SOURCE = join(REPO_ROOT, 'tools', 'stack', 'ferretdb');
const FERRETDB_BIN = join(CACHE_DIR, 'ferretdb', 'ferretdb');

/**
 * A MongoDB wire-protocol server: a genuine `mongod` when one is on PATH, otherwise
 * FerretDB v1 on the stack's PostgreSQL, built from the Go module proxy (no mongod can be
 * had on our machines; see docs/decisions/0002-local-infrastructure.md).
 */
export class MongoComponent implements StackComponent {
  readonly name = 'mongodb';
  readonly address: string;
  readonly process: ManagedProcess;
  private readonly host: string;
  private readonly port: number;
  private readonly useMongod = hasCommand('mongod');
  /** FerretDB stores in PostgreSQL: that component is up first and goes down after this one. */
  readonly requires: readonly string[];

  constructor(
    private readonly config: StackConfig,
    private readonly postgres: PostgresComponent,
  ) {
    this.requires = this.useMongod ? [] : [postgres.name];
    ({ host: this.host, port: this.port } = hostPortOf(config.mongo.url, 27017));
    this.address = config.mongo.url;
    const runDir = runDirOf('mongodb');
    // Known by its command line: mongod's names its data folder, FerretDB's this clone's binary.
    this.process = new ManagedProcess('mongodb', runDir, this.useMongod ? runDir : FERRETDB_BIN);
  }

  get flavour(): string {
    return this.useMongod ? 'mongod' : 'FerretDB 1.24.2 (PostgreSQL)';
  }

  isAnswering(): Promise<boolean> {
    return this.ping(500);
  }

  async provision(log: Log): Promise<void> {
    if (this.useMongod) return;
    requireCommand('go', 'to build FerretDB (the MongoDB wire-protocol server of the local stack)');
    const inputs = ['go.mod', 'go.sum', 'main.go'].map((f) => join(FERRETDB_SOURCE, f));
    const hash = inputsHash(inputs);
    const stamp = `${FERRETDB_BIN}.stamp`;
    if (isStampCurrent(stamp, hash)) return;
    log('building FerretDB from the Go module proxy (first run only, about 2 minutes)…');
    mkdirSync(join(CACHE_DIR, 'ferretdb'), { recursive: true });
    execFileSync('go', ['build', '-o', FERRETDB_BIN, '.'], {
      cwd: FERRETDB_SOURCE,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
    });
    writeStamp(stamp, hash);
  }

  async launch(): Promise<void> {
    const data = join(this.process.runDir, 'data');
    mkdirSync(data, { recursive: true });
    if (this.useMongod) {
      this.process.start('mongod', ['--dbpath', data, '--port', String(this.port), '--bind_ip', this.host, '--quiet']);
      return;
    }
    const storage = `postgres://postgres@/postgres?host=${encodeURIComponent(this.postgres.socketDir)}`;
    this.process.start(
      FERRETDB_BIN,
      [`--listen-addr=${this.host}:${this.port}`, '--handler=postgresql', `--postgresql-url=${storage}`],
      { ...process.env, DO_NOT_TRACK: '1' },
    );
  }

  waitReady(): Promise<void> {
    return waitUntil(`mongodb (${this.flavour})`, () => this.ping(1_000), {
      timeoutMs: 30_000,
      describeFailure: () => this.process.lastLogLines(),
    });
  }

  private async ping(timeoutMs: number): Promise<boolean> {
    const client = new MongoClient(this.config.mongo.url, {
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
    });
    try {
      await client.db('admin').command({ ping: 1 });
      return true;
    } catch {
      return false;
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
