import { AssignerProtocol } from 'kafkajs';
import { bucketOf } from '@tally/analytics-store';
import { TOPICS, type SummaryAnswer, type TimeseriesAnswer } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import type { CreatedTenant } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { eventually, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { countsByName, type ExpectedTenant } from './support/event-dataset';
import { emptySendReport, makeSegmentBatches, sendBatches, type SendReport } from './support/segment-traffic';
import { provisionTenant } from './support/tenants';
import { WorkerGroup } from './support/worker-group';

const INGEST_PORTS = [3970, 3971] as const;
const WORKER_PORTS = [3972, 3973, 3974] as const;
const AGGREGATION_PORTS = [3975, 3976] as const;
const EVENTS = 100_000;
const TENANTS = 4;
const HOUR_MS = 3_600_000;

const url = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The platform as several processes on one machine, as it would run scaled out: two
 * ingest-api, three processor-worker (one consumer group) and two aggregation-api, all
 * behind the same Kafka, Redis and MongoDB-wire store. 100,000 Segment events of four
 * tenants go in through both ingest replicas (a few batches sent again through the
 * other one, as a client retrying after a lost answer would); both aggregation replicas
 * must then count exactly what was accepted — per tenant, per event name, per minute.
 *
 * The aggregation replicas run with their periodic rollups 10 minutes apart, so answers
 * here come from the worker's counters: on FerretDB every rollup read scans the whole
 * (shared, ever-growing) rollups collection, seconds per answer. Exact answers from
 * rollups made by two replicas are proven in aggregation-api.e2e-spec.ts.
 */
describe('the platform as several processes (2 ingest-api, 3 processor-worker, 2 aggregation-api)', () => {
  const env = testEnvironment();
  const apps: RunningApp[] = [];
  const tenants: { created: CreatedTenant; id: TenantId }[] = [];
  let group: WorkerGroup;
  let report: SendReport;
  /**
   * Events happen from a minute into the previous hour until now: every minute gets some of
   * every tenant's, and no query window below holds a whole settled hour (see the queries).
   */
  const since = (bucketOf(Date.now(), 'hour') - 1) * HOUR_MS + 60_000;
  const timings: Record<string, number> = {};

  const startHttpApp = async (name: 'ingest-api' | 'aggregation-api', port: number, extra: Record<string, string>) => {
    const app = startApp(name, {
      [name === 'ingest-api' ? 'INGEST_API_PORT' : 'AGGREGATION_API_PORT']: String(port),
      LOG_LEVEL: 'warn',
      ...extra,
    });
    apps.push(app);
    await eventually(async () => {
      if (app.process.exitCode !== null) throw new Error(`${name} exited early:\n${app.output().slice(-2000)}`);
      expect((await fetch(`${url(port)}/health/ready`)).status).toBe(200);
    }, 90_000);
  };

  beforeAll(async () => {
    const startedAt = Date.now();
    for (let i = 0; i < TENANTS; i++) {
      // Quotas out of the way: this test is about scale-out, not about the limits (ingest-api.e2e-spec.ts).
      const created = await provisionTenant(env, {
        ingestEventsPerSecond: 1_000_000,
        ingestBurst: 1_000_000,
        queriesPerMinute: 1_000_000,
      });
      tenants.push({ created, id: parseTenantId(created.tenantId) as TenantId });
    }
    group = await WorkerGroup.atTopicEnd(env);
    await Promise.all([
      ...INGEST_PORTS.map((port) => startHttpApp('ingest-api', port, {})),
      ...AGGREGATION_PORTS.map((port) => startHttpApp('aggregation-api', port, { AGGREGATION_INTERVAL_MS: '600000' })),
      // No replica is killed here: the default session timeout spares a busy member from eviction.
      ...WORKER_PORTS.map((port) => group.start(port, { PROCESSOR_SESSION_TIMEOUT_MS: '30000' })),
    ]);
    timings['startSeconds'] = (Date.now() - startedAt) / 1_000;
  }, 180_000);

  afterAll(async () => {
    console.info(`multi-process timings: ${JSON.stringify(timings)}; sent: ${JSON.stringify(summaryOf(report))}`);
    await Promise.all([...apps.map((a) => a.stop()), group?.stopAll()]);
  }, 60_000);

  it('splits the partitions of the events topic among the three worker replicas of one group', async () => {
    const kafka = createKafkaClient({ ...env.kafka, clientId: 'tally-e2e-admin' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const partitions = (await admin.fetchTopicOffsets(TOPICS.events.name)).map((p) => p.partition);
      await eventually(
        async () => {
          const [described] = (await admin.describeGroups([group.groupId])).groups;
          expect(described?.state).toBe('Stable');
          const assigned = (described?.members ?? []).map(
            (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[TOPICS.events.name] ?? [],
          );
          expect(assigned).toHaveLength(WORKER_PORTS.length);
          for (const own of assigned) expect(own.length).toBeGreaterThan(0);
          expect(assigned.flat().sort((a, b) => a - b)).toEqual([...partitions].sort((a, b) => a - b));
        },
        60_000,
        500,
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('accepts 100,000 events through both ingest-api replicas, and a resent batch through the other one', async () => {
    const startedAt = Date.now();
    const batches = makeSegmentBatches({
      tenants: tenants.map((t) => ({ tenantId: t.id, writeKey: t.created.writeKey })),
      events: EVENTS,
      batchSize: 250,
      since,
    });
    const ingestUrl = (i: number) => url(INGEST_PORTS[i % INGEST_PORTS.length] as number);
    report = await sendBatches(batches, ingestUrl, emptySendReport(tenants.map((t) => t.id)), { concurrency: 8 });
    timings['sendSeconds'] = (Date.now() - startedAt) / 1_000;
    expect(summaryOf(report)).toEqual({ ...summaryOf(report), accepted: EVENTS, rejected: 0, failedBatches: 0 });
    for (const port of INGEST_PORTS) expect(report.acceptedBy.get(url(port))).toBeGreaterThan(EVENTS * 0.4);

    // A client that lost the answer sends the same batch again — here through the other replica.
    const resent = batches.filter((_, i) => i % 40 === 0);
    const again = await sendBatches(resent, (i) => ingestUrl(i * 40 + 1), emptySendReport([]), {
      countAccepted: false,
    });
    expect(again.failedBatches).toBe(0);

    for (const port of INGEST_PORTS) {
      expect(await metricOf(port, /^ingest_events_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/m)).toBeGreaterThan(
        EVENTS * 0.4,
      );
    }
  }, 180_000);

  it('counts exactly what was accepted, on both aggregation-api replicas: per tenant, event name, minute and hour', async () => {
    const startedAt = Date.now();
    const lastMinute = bucketOf(Date.now(), 'minute') + 2;
    // Both windows start where the events do. Each replica gets its own end, so no answer one
    // of them computed reaches the other through the shared answer cache.
    const windows = new Map<number, string>(
      AGGREGATION_PORTS.map((port, i) => [port, `from=${isoOf(since)}&to=${isoOf((lastMinute + i) * 60_000)}`]),
    );
    const ask = async <T>(port: number, tenant: CreatedTenant, path: string): Promise<T> => {
      const response = await fetch(`${url(port)}${path}`, { headers: { authorization: `Bearer ${tenant.readKey}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };

    // Processing: done when the first replica's totals reach what was accepted.
    const [first] = AGGREGATION_PORTS;
    await eventually(
      async () => {
        const totals = await Promise.all(
          tenants.map(async ({ created }) => {
            return (await ask<SummaryAnswer>(first, created, `/aggregation?${windows.get(first)}`)).totalEvents;
          }),
        );
        expect(totals).toEqual(tenants.map(({ id }) => expectedOf(report, id).total));
      },
      180_000,
      1_000,
    );
    timings['processedSecondsAfterSend'] = (Date.now() - startedAt) / 1_000;

    // Per replica and tenant: the summary (totals per event name), every minute of all names and of
    // each name; hours for one tenant. Minutes a job has rolled up (another leader on this Redis may,
    // though these replicas do not) come from MongoDB, where FerretDB scans the whole shared rollups
    // collection per read (seconds): the windows hold no whole hour, so every answer of a tenant reads
    // the same minute rollups, which the replica then keeps in process — one scan per tenant and
    // replica at most, and one more for the hourly answer.
    const queriesAt = Date.now();
    for (const port of AGGREGATION_PORTS) {
      const window = windows.get(port) as string;
      for (const [t, { created, id }] of tenants.entries()) {
        const expected = expectedOf(report, id);
        const byName = countsByName(expected);

        const summary = await ask<SummaryAnswer>(port, created, `/aggregation?${window}`);
        expect({ port, tenant: id, total: summary.totalEvents, byName: summary.countsByEvent }).toEqual({
          port,
          tenant: id,
          total: expected.total,
          byName: Object.fromEntries(byName),
        });
        expect(Math.abs(summary.uniqueUsers - expected.users.size)).toBeLessThanOrEqual(expected.users.size * 0.02);

        for (const name of [undefined, ...byName.keys()]) {
          const filter = name === undefined ? '' : `&event=${encodeURIComponent(name)}`;
          const minutes = await ask<TimeseriesAnswer>(
            port,
            created,
            `/v1/timeseries?${window}&interval=minute${filter}`,
          );
          const total = name === undefined ? expected.total : byName.get(name);
          expect({ port, tenant: id, name, total: minutes.total }).toEqual({ port, tenant: id, name, total });
          expect(nonZeroBuckets(minutes)).toEqual(expectedBuckets(expected, 'minute', name));
        }

        if (t === 0) {
          const hours = await ask<TimeseriesAnswer>(port, created, `/v1/timeseries?${window}&interval=hour`);
          expect(hours.total).toBe(expected.total);
          expect(nonZeroBuckets(hours)).toEqual(expectedBuckets(expected, 'hour'));
        }
      }
    }
    timings['querySeconds'] = (Date.now() - queriesAt) / 1_000;
  }, 360_000);

  it('had every worker replica work part of the stream', async () => {
    const figures = await Promise.all(
      WORKER_PORTS.map(async (port) => {
        const text = await (await fetch(`${url(port)}/metrics`)).text();
        const outcome = (name: string) =>
          Number(
            new RegExp(`^processor_events_total\\{[^}]*outcome="${name}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0,
          );
        const partitions = [...text.matchAll(/^processor_consumer_lag\{[^}]*partition="(\d+)"/gm)].map((m) => m[1]);
        const mongodbSeconds = Number(
          /^processor_step_duration_seconds_sum\{[^}]*step="mongodb"[^}]*\} ([\d.e+-]+)/m.exec(text)?.[1] ?? 0,
        );
        return {
          port,
          applied: outcome('applied'),
          duplicate: outcome('duplicate'),
          partitions: partitions.length,
          mongodbSeconds: Math.round(mongodbSeconds),
        };
      }),
    );
    console.info(`multi-process worker replicas: ${JSON.stringify(figures)}`);
    for (const replica of figures) {
      // Worked: applied, or found stored by another group on the same topic and stores (a test running beside this one).
      expect({ ...replica, working: replica.applied + replica.duplicate > 0 && replica.partitions > 0 }).toEqual({
        ...replica,
        working: true,
      });
    }
    // Every accepted event went through one of them (as applied, or as a duplicate if another group applied it first).
    const seen = figures.reduce((sum, r) => sum + r.applied + r.duplicate, 0);
    expect(seen).toBeGreaterThanOrEqual(report.accepted);
  });

  async function metricOf(port: number, pattern: RegExp): Promise<number> {
    return Number(pattern.exec(await (await fetch(`${url(port)}/metrics`)).text())?.[1] ?? 0);
  }
});

const isoOf = (ms: number): string => new Date(ms).toISOString();

const summaryOf = (r: SendReport | undefined) =>
  r && {
    accepted: r.accepted,
    rejected: r.rejected,
    failedBatches: r.failedBatches,
    retries: r.retries,
    acceptedBy: Object.fromEntries(r.acceptedBy),
  };

const expectedOf = (r: SendReport, tenant: TenantId): ExpectedTenant => r.expected.get(tenant) as ExpectedTenant;

/** The known non-empty buckets (UTC), bucket start → count, of every name or one. */
function expectedBuckets(expected: ExpectedTenant, interval: 'minute' | 'hour', name?: string) {
  const buckets: Record<string, number> = {};
  for (const [key, n] of expected.counts) {
    const minute = Number(key.slice(0, key.indexOf('|')));
    if (name !== undefined && key.slice(key.indexOf('|') + 1) !== name) continue;
    const start = isoOf(interval === 'hour' ? bucketOf(minute * 60_000, 'hour') * HOUR_MS : minute * 60_000);
    buckets[start] = (buckets[start] ?? 0) + n;
  }
  return buckets;
}

function nonZeroBuckets(answer: TimeseriesAnswer): Record<string, number> {
  return Object.fromEntries(answer.buckets.filter((b) => b.count > 0).map((b) => [b.start, b.count]));
}
