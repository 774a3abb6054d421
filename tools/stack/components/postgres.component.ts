import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ManagedProcess } from '../managed-process';
import { hasCommand, installDebianPackage } from '../provision';
import { waitUntil } from '../readiness';
import { runDirOf } from '../stack-paths';
import type { Log, StackComponent } from './stack-component';

const DEBIAN_POSTGRES = '/usr/lib/postgresql';
const SOCKET_FILE = '.s.PGSQL.5432';
/** A Unix socket path longer than this does not fit `sockaddr_un`. */
const MAX_SOCKET_PATH = 107;

/**
 * PostgreSQL (Debian's), the storage under the stack's FerretDB: FerretDB on SQLite keeps
 * a database in one file with one writer and evaluates every filter by scanning, while on
 * PostgreSQL it takes concurrent writers and reads by index (measured in
 * docs/decisions/0002-local-infrastructure.md). Not a service of its own for the apps:
 * it listens on a Unix socket in its run directory only, so it never clashes with
 * another PostgreSQL on the machine's TCP ports.
 */
export class PostgresComponent implements StackComponent {
  readonly name = 'postgres';
  readonly process: ManagedProcess;
  /** The directory holding the server's socket, which is also its run directory. */
  readonly socketDir: string;
  private readonly dataDir: string;

  constructor() {
    this.socketDir = postgresRunDir();
    this.dataDir = join(this.socketDir, 'data');
    this.process = new ManagedProcess('postgres', this.socketDir, this.dataDir, 'SIGINT');
  }

  get address(): string {
    return join(this.socketDir, SOCKET_FILE);
  }

  async isAnswering(): Promise<boolean> {
    const bin = postgresBinDir();
    if (!bin || !existsSync(this.address)) return false;
    return spawnSync(join(bin, 'pg_isready'), ['-q', '-h', this.socketDir], { stdio: 'ignore' }).status === 0;
  }

  async provision(log: Log): Promise<void> {
    if (!postgresBinDir()) installDebianPackage('PostgreSQL', 'postgresql', log);
  }

  async launch(log: Log): Promise<void> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL is not installed (the "postgresql" package on Debian)');
    const user = serverUser();
    // The parents first, with the usual mode: a recursive mkdir would give them 0700 too, and the
    // server's user could not reach its own folder through them (seen when postgres was the first
    // component to run, the others already answering).
    mkdirSync(dirname(this.socketDir), { recursive: true });
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(this.socketDir, user.uid, user.gid);
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      log(`postgres: creating a cluster in ${this.dataDir}`);
      execFileSync(
        join(bin, 'initdb'),
        ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C'],
        {
          stdio: ['ignore', 2, 2],
          cwd: this.socketDir,
          ...user,
        },
      );
    }
    this.process.start(
      join(bin, 'postgres'),
      ['-D', this.dataDir, '-k', this.socketDir, '-c', 'listen_addresses=', '-c', 'max_connections=200'],
      process.env,
      this.socketDir,
      user,
    );
  }

  waitReady(): Promise<void> {
    return waitUntil('postgres', () => this.isAnswering(), {
      timeoutMs: 30_000,
      describeFailure: () => this.process.lastLogLines(),
    });
  }
}

/** The newest PostgreSQL server installed: Debian's layout, or `postgres` on PATH. */
function postgresBinDir(): string | undefined {
  if (existsSync(DEBIAN_POSTGRES)) {
    const newest = readdirSync(DEBIAN_POSTGRES)
      .filter((version) => existsSync(join(DEBIAN_POSTGRES, version, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return join(DEBIAN_POSTGRES, newest, 'bin');
  }
  if (!hasCommand('postgres')) return undefined;
  return dirname(execFileSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' }).trim());
}

/**
 * PostgreSQL refuses to run as root: as root the server runs as the `postgres` account
 * (created by Debian's package); as anyone else, as that user.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Under `.tally/stack/postgres` like the rest of the stack, unless the server's account
 * cannot reach that folder (a clone under a private home) or the socket path would be
 * too long; then a folder of its own under /var/tmp, named after this clone.
 */
function postgresRunDir(): string {
  const preferred = runDirOf('postgres');
  const fits = join(preferred, SOCKET_FILE).length <= MAX_SOCKET_PATH;
  if (fits && canServerReach(dirname(preferred))) return preferred;
  const clone = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return join('/var/tmp', `tally-postgres-${clone}`);
}

function canServerReach(folder: string): boolean {
  if (process.getuid?.() !== 0) return true;
  let existing = folder;
  while (!existsSync(existing)) existing = dirname(existing);
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', existing], { stdio: 'ignore' });
  // No postgres account yet (the package is installed later): assume the usual, reachable case.
  return probe.status === 0 || !userExists('postgres');
}

function userExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}
