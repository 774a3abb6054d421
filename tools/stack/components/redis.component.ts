import { mkdirSync } from 'node:fs';
import { ManagedProcess } from '../managed-process';
import { ensureDebianPackage } from '../provision';
import { tcpExchange, waitUntil } from '../readiness';
import { hostPortOf, type StackConfig } from '../stack-config';
import { runDirOf } from '../stack-paths';
import type { Log, StackComponent } from './stack-component';

/** Redis from Debian's redis-server, in memory only: real-time state is rebuilt from Kafka and MongoDB. */
export class RedisComponent implements StackComponent {
  readonly name = 'redis';
  readonly address: string;
  // redis-server rewrites its process title to "redis-server host:port", so that is the marker.
  readonly process: ManagedProcess;
  private readonly host: string;
  private readonly port: number;

  constructor(config: StackConfig) {
    ({ host: this.host, port: this.port } = hostPortOf(config.redis.url, 6379));
    this.address = config.redis.url;
    this.process = new ManagedProcess('redis', runDirOf('redis'), 'redis-server');
  }

  isAnswering(): Promise<boolean> {
    return this.ping().catch(() => false);
  }

  async provision(log: Log): Promise<void> {
    ensureDebianPackage('redis-server', 'redis-server', log);
  }

  async launch(): Promise<void> {
    mkdirSync(this.process.runDir, { recursive: true });
    this.process.start('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      this.host,
      '--save',
      '',
      // Append-only file, fsync every second: the real-time state (counters, applied-offset marks)
      // survives a restart, as in production; a graceful stop loses nothing.
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--dir',
      this.process.runDir,
    ]);
  }

  waitReady(): Promise<void> {
    return waitUntil('redis', () => this.ping(), {
      timeoutMs: 20_000,
      describeFailure: () => this.process.lastLogLines(),
    });
  }

  private async ping(): Promise<boolean> {
    return (await tcpExchange(this.host, this.port, 'PING\r\n')).startsWith('+PONG');
  }
}
