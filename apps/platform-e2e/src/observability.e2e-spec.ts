import { randomUUID } from 'node:crypto';
import { DIRTY_TENANTS_SET, rollupKeys } from '@tally/analytics-store';
import { createRedisClient } from '@tally/redis';
import type { CreatedTenant } from '@tally/tenancy';
import type { TenantId } from '@tally/tenant-scope';
import { eventually, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { WorkerGroup } from './support/worker-group';

const ADMIN_TOKEN = `admin-${randomUUID()}`;
const TENANTS = 1_000;
/** Enough that the warm-up's events reach every partition (each has its own lag series). */
const WARM_TENANTS = 40;
const EVENTS_PER_TENANT = 3;

/**
 * What an operator sees of the platform, on the ports the stack's Prometheus scrapes:
 * one request id followed through all three services, a bounded number of series
 * however many tenants send, Prometheus holding the ingest counter's true value, and no
 * key in any log line (every app logs at debug level here).
 */
describe('observability across the three apps', () => {
  const env = testEnvironment();
  const ports = env.appPorts;
  const url = (app: keyof typeof ports, path: string) => `http://127.0.0.1:${ports[app]}${path}`;
  let group: WorkerGroup;
  let ingest: RunningApp;
  let aggregation: RunningApp;
  const tenants: CreatedTenant[] = [];
  /** Events ingest-api answered as accepted in this test: the counter Prometheus must show. */
  let accepted = 0;
  const window = () =>
    `from=${new Date(Date.now() - 90_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;

  const admin = async (path: string, body?: unknown) => {
    const response = await fetch(url('aggregation-api', `/admin/tenants${path}`), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return response.json();
  };

  const send = async (tenant: CreatedTenant, events: object[], headers: Record<string, string> = {}) => {
    const response = await fetch(url('ingest-api', '/v1/batch'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.writeKey}`, ...headers },
      body: JSON.stringify({ batch: events }),
    });
    expect(response.status).toBe(200);
    accepted += events.length;
  };

  const summary = async (tenant: CreatedTenant, headers: Record<string, string> = {}) => {
    const response = await fetch(url('aggregation-api', `/aggregation?${window()}`), {
      headers: { authorization: `Bearer ${tenant.readKey}`, ...headers },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { totalEvents: number; countsByEvent: Record<string, number> };
  };

  const eventsFor = (i: number) =>
    Array.from({ length: EVENTS_PER_TENANT }, (_, n) => ({
      type: 'track',
      event: `Observed ${n}`,
      userId: `user-${i}-${n}`,
      messageId: `obs-${i}-${n}-${randomUUID()}`,
    }));

  const workerOutput = () => group.output(ports['processor-worker']);
  const processed = async () =>
    sampleOf(await scrape('processor-worker'), 'processor_events_total{', 'outcome="applied"');
  const scrape = async (app: keyof typeof ports) => (await fetch(url(app, '/metrics'))).text();

  beforeAll(async () => {
    group = await WorkerGroup.atTopicEnd(env);
    ingest = startApp('ingest-api', { LOG_LEVEL: 'debug', SERVICE_VERSION: 'obs-e2e' });
    aggregation = startApp('aggregation-api', { LOG_LEVEL: 'debug', SERVICE_VERSION: 'obs-e2e', ADMIN_TOKEN });
    await Promise.all([
      group.start(ports['processor-worker'], { LOG_LEVEL: 'debug', SERVICE_VERSION: 'obs-e2e' }),
      ...[ingest, aggregation].map((app) =>
        eventually(async () => {
          if (app.process.exitCode !== null) throw new Error(`${app.name} exited:\n${app.output().slice(-2000)}`);
          expect((await fetch(url(app.name, '/health/ready'))).status).toBe(200);
        }, 60_000),
      ),
    ]);
    const unlimited = { ingestEventsPerSecond: 1_000_000, ingestBurst: 1_000_000, queriesPerMinute: 1_000_000 };
    // Provisioned through the admin API, so its responses (which carry keys) are in the logs scanned below.
    for (let i = 0; i < TENANTS; i += 10) {
      const created = await Promise.all(
        Array.from({ length: Math.min(10, TENANTS - i) }, (_, n) =>
          admin('', { name: `obs-${i + n}`, quotas: unlimited }),
        ),
      );
      tenants.push(...(created as CreatedTenant[]));
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all([ingest?.stop(), aggregation?.stop(), group?.stopAll()]);
    // The periodic aggregation rolls dirty tenants up one at a time, each costing FerretDB a few scans
    // of the rollups collection (a second or more once it holds the suite's rollups): this test's 1,000
    // tenants would hold the rollups of every later test back for longer than those tests wait (a known
    // limit on FerretDB: docs/decisions/0006-aggregation.md). Their data is not read again: forget it.
    const redis = createRedisClient(env.redis, 'tally-e2e');
    try {
      const tidy = redis.pipeline();
      for (const { tenantId } of tenants) {
        tidy.srem(DIRTY_TENANTS_SET, tenantId).del(rollupKeys.dirtyMinutes(tenantId as TenantId));
      }
      await tidy.exec();
    } finally {
      await redis.quit();
    }
  });

  it('follows one request id from ingest-api into the worker and into the aggregation-api query that reads it', async () => {
    const tenant = tenants[0] as CreatedTenant;
    const requestId = `trace-${randomUUID()}`;
    await send(tenant, [{ type: 'track', event: 'Traced Checkout', userId: 'tracer' }], { 'x-request-id': requestId });

    await eventually(
      () => {
        const line = linesWith(workerOutput(), requestId).find((l) => l.msg === 'chunk applied');
        expect(line).toMatchObject({ service: 'processor-worker', requestIds: expect.arrayContaining([requestId]) });
      },
      30_000,
      250,
    );
    // The client reuses its trace id for the query that reads the event.
    await eventually(
      async () =>
        expect((await summary(tenant, { 'x-request-id': requestId })).countsByEvent['Traced Checkout']).toBe(1),
      30_000,
      250,
    );

    expect(linesWith(ingest.output(), requestId)).toContainEqual(
      expect.objectContaining({ service: 'ingest-api', version: 'obs-e2e', tenantId: tenant.tenantId }),
    );
    // Written when the response has finished: the line may trail the answer by a moment.
    await eventually(() =>
      expect(linesWith(aggregation.output(), requestId)).toContainEqual(
        expect.objectContaining({
          service: 'aggregation-api',
          version: 'obs-e2e',
          tenantId: tenant.tenantId,
          msg: 'request completed',
          req: expect.objectContaining({ method: 'GET', url: expect.stringMatching(/^\/aggregation\?/) }),
          res: expect.objectContaining({ statusCode: 200 }),
        }),
      ),
    );
  });

  it(`keeps the number of series flat while ${TENANTS} tenants send and query`, async () => {
    // A few tenants first, so every code path (first key lookup, first write, first query) has run.
    const warm = tenants.slice(0, WARM_TENANTS);
    const already = await processed();
    await Promise.all(warm.map((t, i) => send(t, eventsFor(i))));
    await eventually(
      async () => expect(await processed()).toBe(already + WARM_TENANTS * EVENTS_PER_TENANT),
      90_000,
      500,
    );
    await Promise.all(warm.map((t) => summary(t)));
    const before = await seriesOfAllApps();

    const rest = tenants.slice(WARM_TENANTS);
    for (let i = 0; i < rest.length; i += 25) {
      await Promise.all(rest.slice(i, i + 25).map((t, n) => send(t, eventsFor(WARM_TENANTS + i + n))));
    }
    await eventually(async () => expect(await processed()).toBe(already + TENANTS * EVENTS_PER_TENANT), 120_000, 500);
    // Queries by a sample of them: each new tenant costs aggregation-api a key lookup and a first read.
    const sample = rest.filter((_, i) => i % 50 === 0);
    const answers = await Promise.all(sample.map((t) => summary(t)));
    expect(answers.map((a) => a.totalEvents)).toEqual(sample.map(() => EVENTS_PER_TENANT));
    const after = await seriesOfAllApps();

    expect(before.size).toBeGreaterThan(100);
    // A bounded label value may show up for the first time meanwhile (a store retry, a failed run of the
    // periodic job on a busy machine); a label per tenant would add a series per tenant, ~1,000.
    const added = [...after].filter((series) => !before.has(series));
    expect({ added, few: added.length <= 5 }).toEqual({ added, few: true });
    const scrapes = await Promise.all((Object.keys(ports) as (keyof typeof ports)[]).map(scrape));
    expect(tenants.filter((t) => scrapes.some((text) => text.includes(t.tenantId)))).toEqual([]);
  }, 300_000);

  it('is scraped by Prometheus, whose HTTP API holds the number of events ingest-api accepted', async () => {
    const query = encodeURIComponent('sum(ingest_events_total{job="ingest-api",outcome="accepted"})');
    // The app's own counter first, then Prometheus's copy of it (scraped every 2 s).
    expect(sampleOf(await scrape('ingest-api'), 'ingest_events_total{', 'outcome="accepted"')).toBe(accepted);
    await eventually(
      async () => {
        const body = (await (await fetch(`${env.prometheusUrl}/api/v1/query?query=${query}`)).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        expect(Number(body.data.result[0]?.value[1])).toBe(accepted);
      },
      30_000,
      1_000,
    );
  });

  it('writes no key, token or Authorization value into any log line', async () => {
    const [tenant, other] = tenants as [CreatedTenant, CreatedTenant];
    const basic = `Basic ${Buffer.from(`${tenant.writeKey}:`).toString('base64')}`;
    const bogus = `tly_w_${randomUUID().replace(/-/g, '')}`;
    // Every form a key can arrive in, accepted and refused, and the admin answers that carry keys.
    const attempts: [string, RequestInit][] = [
      ['/v1/track', { headers: { authorization: basic }, body: JSON.stringify({ event: 'Basic', userId: 'u' }) }],
      ['/v1/track', { headers: { 'x-write-key': tenant.writeKey }, body: JSON.stringify({ event: 'X', userId: 'u' }) }],
      [
        '/v1/batch',
        { body: JSON.stringify({ writeKey: tenant.writeKey, batch: [{ type: 'track', event: 'B', userId: 'u' }] }) },
      ],
      [
        '/v1/track',
        { headers: { authorization: `Bearer ${bogus}` }, body: JSON.stringify({ event: 'Refused', userId: 'u' }) },
      ],
      ['/v1/track', { headers: { authorization: `Bearer ${tenant.readKey}` }, body: '{"event":' }],
      ['/v1/batch', { body: JSON.stringify({ writeKey: bogus, batch: 'not-a-list' }) }],
    ];
    for (const [path, init] of attempts) {
      await fetch(url('ingest-api', path), {
        method: 'POST',
        ...init,
        headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
      });
    }
    await fetch(url('aggregation-api', `/aggregation?${window()}`), {
      headers: { authorization: `Bearer ${tenant.writeKey}` },
    });
    await fetch(url('aggregation-api', `/aggregation?${window()}`), { headers: { authorization: `Bearer ${bogus}` } });
    await fetch(url('aggregation-api', '/admin/tenants'), { headers: { authorization: `Bearer ${tenant.readKey}` } });
    const rotated = (await admin(`/${other.tenantId}/keys/read/rotate`)) as { key: string };
    await summary({ ...other, readKey: rotated.key });

    const secrets = [
      ADMIN_TOKEN,
      bogus,
      rotated.key,
      basic.slice('Basic '.length),
      ...tenants.flatMap((t) => [t.writeKey, t.readKey]),
    ];
    const outputs = { ingest: ingest.output(), worker: workerOutput(), aggregation: aggregation.output() };
    for (const [app, output] of Object.entries(outputs)) {
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      expect({ app, enoughLines: lines.length > 50 }).toEqual({ app, enoughLines: true });
      const leaks = lines.filter(
        (line) =>
          /tly_[wr]_[A-Za-z0-9_-]{6,}|\b(Bearer|Basic) [A-Za-z0-9+/=._-]{8,}/.test(line) ||
          /"authorization":"(?!\[redacted\])/i.test(line) ||
          secrets.some((secret) => line.includes(secret)),
      );
      expect({ app, leaks }).toEqual({ app, leaks: [] });
      // Structured: every line a JSON object naming its service and version.
      const unstructured = lines.filter((line) => {
        try {
          const parsed = JSON.parse(line) as { service?: string; version?: string };
          return parsed.version !== 'obs-e2e' || typeof parsed.service !== 'string';
        } catch {
          return true;
        }
      });
      expect({ app, unstructured }).toEqual({ app, unstructured: [] });
    }
  });

  /** Every series of every app but Node's GC histogram, whose `kind` label appears as kinds of GC first run. */
  async function seriesOfAllApps(): Promise<Set<string>> {
    const series = new Set<string>();
    for (const app of Object.keys(ports) as (keyof typeof ports)[]) {
      for (const line of (await scrape(app)).split('\n')) {
        if (line === '' || line.startsWith('#') || line.startsWith('nodejs_gc_duration_seconds')) continue;
        series.add(`${app} ${line.slice(0, line.lastIndexOf(' '))}`);
      }
    }
    return series;
  }
});

/** The JSON log lines of an output that mention `needle`. */
function linesWith(output: string, needle: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The value of the one sample of a scrape whose line starts with `prefix` and contains `label`. */
function sampleOf(text: string, prefix: string, label: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix) && l.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
