import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../managed-process';
import { ensureDebianPackage } from '../provision';
import { httpOk, waitUntil } from '../readiness';
import { hostPortOf, type StackConfig } from '../stack-config';
import { REPO_ROOT, runDirOf } from '../stack-paths';
import type { Log, StackComponent } from './stack-component';

/** The same alert rules docker-compose and Kubernetes load. */
const ALERT_RULES = join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yml');

/**
 * Prometheus from Debian, scraping the three apps where the local run puts them.
 * The scrape interval is short so a fresh start shows targets up within seconds.
 */
export class PrometheusComponent implements StackComponent {
  readonly name = 'prometheus';
  readonly address: string;
  readonly process: ManagedProcess;
  private readonly host: string;
  private readonly port: number;
  private readonly configFile: string;

  constructor(private readonly config: StackConfig) {
    ({ host: this.host, port: this.port } = hostPortOf(config.prometheus.url, 9090));
    this.address = config.prometheus.url;
    const runDir = runDirOf('prometheus');
    this.process = new ManagedProcess('prometheus', runDir, runDir);
    this.configFile = join(runDir, 'prometheus.yml');
  }

  isAnswering(): Promise<boolean> {
    return httpOk(`${this.base()}/-/ready`).catch(() => false);
  }

  async provision(log: Log): Promise<void> {
    ensureDebianPackage('prometheus', 'prometheus', log);
  }

  async launch(): Promise<void> {
    this.writeConfig();
    const data = join(this.process.runDir, 'data');
    mkdirSync(data, { recursive: true });
    this.process.start('prometheus', [
      `--config.file=${this.configFile}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=${this.host}:${this.port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ]);
  }

  waitReady(): Promise<void> {
    return waitUntil('prometheus', () => httpOk(`${this.base()}/-/ready`), {
      timeoutMs: 30_000,
      describeFailure: () => this.process.lastLogLines(),
    });
  }

  /** A running instance of ours picks up changed scrape targets without a restart. */
  async afterReady(log: Log): Promise<void> {
    if (this.process.pid() === undefined) return;
    if (this.writeConfig()) {
      log('prometheus: scrape config changed, reloading');
      await fetch(`${this.base()}/-/reload`, { method: 'POST' });
    }
  }

  /** Writes the scrape config; true when it changed. */
  private writeConfig(): boolean {
    mkdirSync(this.process.runDir, { recursive: true });
    const jobs = Object.entries(this.config.appPorts)
      .map(([job, port]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']`)
      .join('\n');
    const text = [
      '# Written by tools/stack for the local run; deploy/prometheus/ holds the compose/Kubernetes config.',
      'global:',
      '  scrape_interval: 2s',
      '  evaluation_interval: 5s',
      'rule_files:',
      `  - ${ALERT_RULES}`,
      'scrape_configs:',
      jobs,
      '',
    ].join('\n');
    if (existsSync(this.configFile) && readFileSync(this.configFile, 'utf8') === text) return false;
    writeFileSync(this.configFile, text);
    return true;
  }

  private base(): string {
    return this.config.prometheus.url.replace(/\/$/, '');
  }
}
