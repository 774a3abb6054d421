import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { APP_NODE_FLAGS } from '@tally/config';
import { ALL_TOPICS } from '@tally/contracts';
import { loadComposeFile, publishedPortsOf, readRepoFile } from './compose-file.util';

const APPS = ['ingest-api', 'processor-worker', 'aggregation-api'] as const;

describe('docker-compose.yml', () => {
  const compose = loadComposeFile();

  it('runs real Kafka (KRaft), Redis, MongoDB, Prometheus and Grafana images and builds each app', () => {
    expect(compose.services['kafka']?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services['redis']?.image).toMatch(/^redis:/);
    expect(compose.services['mongo']?.image).toMatch(/^mongo:/);
    expect(compose.services['prometheus']?.image).toMatch(/^prom\/prometheus:/);
    expect(compose.services['grafana']?.image).toMatch(/^grafana\/grafana:/);
    for (const app of APPS)
      expect(compose.services[app]?.build).toEqual({ context: '.', dockerfile: `apps/${app}/Dockerfile` });
  });

  it('publishes every port on 127.0.0.1 only: none of the services asks for a password', () => {
    const published = Object.keys(compose.services).flatMap((service) =>
      publishedPortsOf(compose, service).map((port) => ({ service, ...port })),
    );
    expect(published.length).toBeGreaterThanOrEqual(8);
    expect(published.filter((p) => p.hostIp !== '127.0.0.1')).toEqual([]);
  });

  it('reads a binding as every interface unless it names an address, and refuses what it cannot read', () => {
    const ports = (...entries: unknown[]) => publishedPortsOf({ services: { s: { ports: entries as never } } }, 's');
    expect(ports('6379:6379', '127.0.0.1:3003:3000', '9090', '127.0.0.1:53:53/udp')).toEqual([
      { hostIp: undefined, published: 6379, target: 6379 },
      { hostIp: '127.0.0.1', published: 3003, target: 3000 },
      { hostIp: undefined, published: undefined, target: 9090 },
      { hostIp: '127.0.0.1', published: 53, target: 53 },
    ]);
    expect(ports({ target: 80, published: '8080', host_ip: '127.0.0.1' })).toEqual([
      { hostIp: '127.0.0.1', published: 8080, target: 80 },
    ]);
    expect(() => ports('[::1]:80:80')).toThrow(/not read here/);
    expect(() => ports('127.0.0.1:3000-3001:3000-3001')).toThrow(/not read here/);
  });

  it('keeps Redis state across a restart: an append-only file fsynced every second, on a named volume', () => {
    const redis = compose.services['redis'];
    const command = [redis?.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--appendfsync everysec\b/);
    const dataVolume = redis?.volumes?.find((v) => v.split(':')[1] === '/data')?.split(':')[0];
    expect(dataVolume).toMatch(/^[\w-]+$/); // a named volume, not a bind mount
    expect(compose.volumes).toHaveProperty([dataVolume ?? '']);
  });

  it('creates exactly the topics of the registry', () => {
    const script = JSON.stringify(compose.services['kafka-init']);
    const created = /for t in ([^;]+); do/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    expect(created.sort()).toEqual(ALL_TOPICS.map((t) => t.name).sort());
  });
});

describe.each(APPS)('apps/%s/Dockerfile', (app) => {
  const dockerfile = readRepoFile(`apps/${app}/Dockerfile`);
  const stages = dockerfile.split('\n').filter((line) => line.startsWith('FROM '));

  it('is multi-stage on Node 22 and runs only the built app, as a non-root user, with a health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:22-/);
    expect(dockerfile).toContain(`RUN NX_DAEMON=false npx nx build ${app}`);
    expect(dockerfile).toMatch(/\nUSER node\n/);
    expect(dockerfile).toMatch(/\nHEALTHCHECK .*\n.*\/health\/live/);
    // Exec form, with the V8 flags every other run of the app uses (npm start, tests, bench).
    const cmd = dockerfile.trimEnd().split('\n').pop() ?? '';
    expect(cmd.startsWith('CMD [')).toBe(true);
    expect(JSON.parse(cmd.slice('CMD '.length))).toEqual(['node', ...APP_NODE_FLAGS, 'main.js']);
  });
});

describe('deploy/prometheus', () => {
  // promtool comes with Debian's prometheus package, which the local stack installs.
  const dir = resolve(__dirname, '..', '..', '..', '..', 'deploy', 'prometheus');
  const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

  it('has a scrape config (with its alert rules) that promtool accepts', () => {
    expect(promtool('check', 'config', join(dir, 'prometheus.yml'))).toContain('SUCCESS');
  });

  it('has alert rules whose unit tests fire every alert', () => {
    const rules = readRepoFile('deploy/prometheus/alerts.yml');
    const tests = readRepoFile('deploy/prometheus/alerts.test.yml');
    for (const [, alert] of rules.matchAll(/- alert: (\w+)/g)) expect(tests).toContain(`alertname: ${alert}`);
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });
});
