import { ALL_TOPICS } from '@tally/contracts';
import { loadComposeFile, readRepoFile } from './compose-file.util';

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
    expect(dockerfile.trimEnd().split('\n').pop()).toBe('CMD ["node", "main.js"]');
  });
});
