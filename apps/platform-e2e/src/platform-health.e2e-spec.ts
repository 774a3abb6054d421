import { eventually, readRepoFile, startApp, testEnvironment, type AppName, type RunningApp } from '@tally/testing';
import { WorkerGroup } from './support/worker-group';

/**
 * The three built apps run as separate processes against the real stack: each must
 * report ready, and the Prometheus the stack started must be scraping all three.
 */
describe('platform: three apps on the real stack', () => {
  const env = testEnvironment();
  const apps: RunningApp[] = [];
  const names = Object.keys(env.appPorts) as AppName[];

  const readinessChecks: Record<AppName, string[]> = {
    'ingest-api': ['kafka', 'mongodb', 'redis'],
    'processor-worker': ['kafka', 'kafka-consumer', 'mongodb', 'redis'],
    'aggregation-api': ['mongodb', 'redis'],
  };

  beforeAll(async () => {
    // The worker works only what arrives from now on, in a group of its own (not the topic's history).
    const { groupId } = await WorkerGroup.atTopicEnd(env);
    for (const name of names) {
      apps.push(startApp(name, { LOG_LEVEL: 'warn', SERVICE_VERSION: 'e2e', PROCESSOR_GROUP_ID: groupId }));
    }
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  it.each(names)('%s answers /health/ready with every dependency up', async (name) => {
    const app = apps.find((a) => a.name === name);
    const body = await eventually(async () => {
      if (app?.process.exitCode !== null) throw new Error(`${name} exited:\n${app?.output()}`);
      const response = await fetch(`http://127.0.0.1:${env.appPorts[name]}/health/ready`);
      expect(response.status).toBe(200);
      return (await response.json()) as { status: string; details: Record<string, { status: string }> };
    }, 60_000);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(readinessChecks[name]);
  });

  it('is scraped by Prometheus: every app target is up', async () => {
    await eventually(
      async () => {
        const response = await fetch(`${env.prometheusUrl}/api/v1/query?query=up`);
        const body = (await response.json()) as {
          data: { result: { metric: { job: string }; value: [number, string] }[] };
        };
        const up = Object.fromEntries(body.data.result.map((r) => [r.metric.job, r.value[1]]));
        expect(up).toEqual(
          expect.objectContaining({ 'ingest-api': '1', 'aggregation-api': '1', 'processor-worker': '1' }),
        );
      },
      60_000,
      1_000,
    );
  });

  it('exposes every metric the alert rules and the Grafana dashboard use', async () => {
    const queries = [
      readRepoFile('deploy/prometheus/alerts.yml'),
      readRepoFile('deploy/grafana/dashboards/tally-overview.json'),
    ].join('\n');
    const used = new Set(
      [...queries.matchAll(/\b((?:ingest|processor|aggregation|http|process)_[a-z_]+)\b/g)].map((m) =>
        (m[1] as string).replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(used).toContain('processor_consumer_lag');
    const exposed = (
      await Promise.all(
        names.map(async (name) => (await fetch(`http://127.0.0.1:${env.appPorts[name]}/metrics`)).text()),
      )
    ).join('\n');
    expect([...used].filter((metric) => !exposed.includes(`# TYPE ${metric} `))).toEqual([]);
  });

  it('serves Prometheus metrics with the service label and HTTP durations by route', async () => {
    const base = `http://127.0.0.1:${env.appPorts['ingest-api']}`;
    await eventually(async () => expect((await fetch(`${base}/health/live`)).status).toBe(200), 60_000);
    await fetch(`${base}/no-such-route/12345`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('process_resident_memory_bytes{service="ingest-api"}');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="ingest-api",method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    // Unmatched URLs share one label: a client cannot grow the series count.
    expect(text).toContain('route="unmatched",status_code="404"');
    expect(text).not.toContain('12345');
  });
});
