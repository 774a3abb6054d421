import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { DateTime } from 'luxon';
import { EVENT_ENVELOPE_VERSION, type AnalyticsAnswerV1, type SegmentEvent } from '@tally/contracts';
import type { CreatedTenant } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { eventually, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { envelopeMessage, random } from './support/event-dataset';
import { provisionTenant } from './support/tenants';
import { WorkerGroup, produceToEventsTopic } from './support/worker-group';

const WORKER_PORT = 3990;
const AGGREGATION = 3991;
const SECOND_REPLICA = 3992;
/** Scans one tenant may run at once on all replicas together, in this suite. */
const SCANS_PER_TENANT = 1;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const TZ = 'Europe/Paris';

/** One event of the dataset as the test knows it: what it sent, and what the answers must make of it. */
interface SentEvent {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly user: string;
  readonly atMs: number;
  readonly plan: string | undefined;
  readonly revenue: number | undefined;
  readonly path: string;
  readonly source: string | undefined;
}

const NAMES = ['Purchase', 'Signed Up', 'Viewed'];
const PLANS = ['pro', 'free', undefined];
const PATHS = ['/pricing', '/pricing/team', '/docs'];
const SOURCES = ['google', 'newsletter', undefined];

/**
 * `POST /v1/query` against the real stack: two tenants' events with properties, page
 * context, UTM sources and revenue over three days (late arrivals and duplicates among
 * them) go through the real worker; the answers must equal what this test computes
 * from the events it sent, by its own plain arithmetic: breakdowns, filters, sums and
 * averages, uniques per value, day buckets in a zone, the previous period; the counter
 * and scan paths must agree; a tenant sees only its own data.
 */
describe('POST /v1/query', () => {
  const env = testEnvironment();
  let group: WorkerGroup;
  let app: RunningApp;
  let second: RunningApp;
  const tenants: { created: CreatedTenant; id: TenantId }[] = [];
  const sent: SentEvent[] = [];
  const now = Date.now();
  // Three whole days in Paris, ending with the current one: every event falls inside.
  const from = DateTime.fromMillis(now, { zone: TZ }).startOf('day').minus({ days: 2 }).toUTC().toISO() as string;
  const to = new Date(Math.ceil(now / 60_000) * 60_000 + 60_000).toISOString();

  const ask = async (tenant: CreatedTenant, question: Record<string, unknown>, port = AGGREGATION) => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.readKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(question),
    });
    return { status: response.status, body: (await response.json()) as AnalyticsAnswerV1 & Record<string, unknown> };
  };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const created = await provisionTenant(env, { queriesPerMinute: 1_000_000 });
      tenants.push({ created, id: parseTenantId(created.tenantId) as TenantId });
    }
    group = await WorkerGroup.atTopicEnd(env);
    await group.start(WORKER_PORT);
    const scanBound = {
      QUERY_SCAN_MAX_CONCURRENT_PER_TENANT_ALL_REPLICAS: String(SCANS_PER_TENANT),
      LOG_LEVEL: 'warn',
    };
    app = startApp('aggregation-api', { AGGREGATION_API_PORT: String(AGGREGATION), ...scanBound });
    second = startApp('aggregation-api', { AGGREGATION_API_PORT: String(SECOND_REPLICA), ...scanBound });
    const rnd = random(18);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const messages: Message[] = [];
    const firstMs = Date.parse(from);
    for (let i = 0; i < 3_000; i++) {
      const { id } = pick(tenants);
      const event: SentEvent = {
        tenantId: id,
        name: pick(NAMES),
        user: `user-${Math.floor(rnd() * 120)}`,
        // Anywhere in the window, so some are hours or days late when they arrive.
        atMs: firstMs + Math.floor(rnd() * (now - firstMs - 60_000)),
        plan: pick(PLANS),
        revenue: rnd() < 0.6 ? Math.round(rnd() * 10_000) / 100 : undefined,
        path: pick(PATHS),
        source: pick(SOURCES),
      };
      sent.push(event);
      const message = envelopeMessage(
        {
          v: EVENT_ENVELOPE_VERSION,
          tenantId: id,
          messageId: randomUUID(),
          receivedAt: new Date(now).toISOString(),
          timestamp: new Date(event.atMs).toISOString(),
          event: segmentEventOf(event),
        },
        `${id}:${event.user}`,
      );
      messages.push(message);
      // A client retry: the same event again, counted once.
      if (rnd() < 0.05) messages.push(message);
    }
    await produceToEventsTopic(env, messages);
    for (const port of [AGGREGATION, SECOND_REPLICA]) {
      await eventually(
        async () => expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200),
        60_000,
      );
    }
    for (const { created, id } of tenants) {
      await eventually(async () => {
        const answer = await ask(created, { from, to, path: 'scan' });
        expect(answer.body.totals?.['events']).toBe(sent.filter((e) => e.tenantId === id).length);
      }, 120_000);
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all([app?.stop(), second?.stop()]);
    await group?.stopAll();
  });

  it('breaks Purchase down by plan, filtered by page path, with sums, averages and uniques per value', async () => {
    for (const { created, id } of tenants) {
      const answer = await ask(created, {
        from,
        to,
        events: ['Purchase'],
        metrics: ['events', 'uniques', 'sum:properties.revenue', 'avg:properties.revenue'],
        breakdown: ['properties.plan'],
        filters: [{ field: '$path', op: 'starts_with', value: '/pricing' }],
        order: 'properties.plan',
      });
      expect(answer.status).toBe(200);
      expect(answer.body.path).toBe('scan');
      const matching = sent.filter((e) => e.tenantId === id && e.name === 'Purchase' && e.path.startsWith('/pricing'));
      const plans = [...new Set(matching.map((e) => e.plan ?? null))].sort(nullLast);
      expect(answer.body.rows).toEqual(
        plans.map((plan) => ({
          dimensions: { 'properties.plan': plan },
          metrics: metricsOf(matching.filter((e) => (e.plan ?? null) === plan)),
        })),
      );
      expect(answer.body.totals).toEqual(metricsOf(matching));
      expect(answer.body.freshness.newestEventAt).toBe(new Date(now).toISOString());
    }
  });

  it('counts by day in Europe/Paris, by UTM source, with a range filter on revenue and the previous period', async () => {
    const [{ created, id }] = tenants as [{ created: CreatedTenant; id: TenantId }];
    const answer = await ask(created, {
      from,
      to,
      tz: TZ,
      interval: 'day',
      metrics: ['events'],
      breakdown: ['$utm_source'],
      filters: [{ field: 'properties.revenue', op: 'gte', value: 50 }],
      compare: 'previous_period',
      order: '$utm_source',
    });
    expect(answer.status).toBe(200);
    const matching = sent.filter((e) => e.tenantId === id && e.revenue !== undefined && e.revenue >= 50);
    const days: string[] = [];
    for (let day = DateTime.fromISO(from, { zone: TZ }); day.toMillis() < Date.parse(to); day = day.plus({ days: 1 })) {
      days.push(day.toUTC().toISO() as string);
    }
    const sources = [...new Set(matching.map((e) => e.source ?? null))].sort(nullLast);
    const dayOf = (ms: number) => DateTime.fromMillis(ms, { zone: TZ }).startOf('day').toUTC().toISO();
    expect(answer.body.rows).toEqual(
      sources.flatMap((source) =>
        days.map((time) => ({
          dimensions: { time, $utm_source: source },
          metrics: {
            events: matching.filter((e) => (e.source ?? null) === source && dayOf(e.atMs) === time).length,
          },
        })),
      ),
    );
    // Nothing was sent before the window: the previous period is all zeros, for the same sources.
    expect(answer.body.comparison?.totals).toEqual({ events: 0 });
    expect(answer.body.comparison?.rows.map((row) => row.dimensions['$utm_source'])).toEqual(
      sources.flatMap((source) => days.map(() => source)),
    );
  });

  it('gives the same answer from the counters and from a scan for what the counters hold', async () => {
    const [{ created, id }] = tenants as [{ created: CreatedTenant; id: TenantId }];
    const question = { from, to, interval: 'hour', metrics: ['events'], breakdown: ['event'], order: 'event' };
    const counters = await ask(created, { ...question, path: 'counters' });
    const scan = await ask(created, { ...question, path: 'scan' });
    expect([counters.status, counters.body.path, scan.status, scan.body.path]).toEqual([200, 'counters', 200, 'scan']);
    expect(counters.body.rows).toEqual(scan.body.rows);
    expect(counters.body.totals).toEqual({ events: sent.filter((e) => e.tenantId === id).length });
    // Both say how fresh they are: every event arrived at `now`.
    expect([counters.body.freshness, scan.body.freshness]).toEqual([
      { newestEventAt: new Date(now).toISOString() },
      { newestEventAt: new Date(now).toISOString() },
    ]);

    // Names that exclude each other: nothing, not everyone's uniques.
    const none = await ask(created, {
      from,
      to,
      events: ['Purchase'],
      filters: [{ field: 'event', op: 'eq', value: 'Viewed' }],
      metrics: ['events', 'uniques'],
      path: 'counters',
    });
    expect([none.body.path, none.body.totals]).toEqual(['counters', { events: 0, uniques: 0 }]);

    // Weeks and months in a zone: each bucket read as its UTC days, hours and minutes.
    for (const interval of ['week', 'month']) {
      const zoned = { from, to, tz: TZ, interval, breakdown: ['event'], order: 'event' };
      const [byCounters, byScan] = await Promise.all([
        ask(created, { ...zoned, path: 'counters' }),
        ask(created, { ...zoned, path: 'scan' }),
      ]);
      expect([byCounters.status, byCounters.body.path]).toEqual([200, 'counters']);
      expect(byCounters.body.rows).toEqual(byScan.body.rows);
    }

    // Two of the three names, by day: the counters list only the names asked about.
    const two = { from, to, interval: 'day', events: ['Purchase', 'Viewed'], breakdown: ['event'], order: '-events' };
    const twoFromCounters = await ask(created, { ...two, path: 'counters' });
    expect(twoFromCounters.body.rows).toEqual((await ask(created, { ...two, path: 'scan' })).body.rows);
    expect(new Set(twoFromCounters.body.rows.map((row) => row.dimensions['event']))).toEqual(
      new Set(['Purchase', 'Viewed']),
    );

    const uniques = { from, to, events: ['Viewed'], metrics: ['events', 'uniques'] };
    const fromCounters = await ask(created, { ...uniques, path: 'counters' });
    const fromScan = await ask(created, { ...uniques, path: 'scan' });
    const viewed = sent.filter((e) => e.tenantId === id && e.name === 'Viewed');
    expect(fromScan.body.totals).toEqual({ events: viewed.length, uniques: new Set(viewed.map((e) => e.user)).size });
    expect(fromCounters.body.totals['events']).toBe(viewed.length);
    const counted = fromCounters.body.totals['uniques'] as number;
    expect(Math.abs(counted - new Set(viewed.map((e) => e.user)).size)).toBeLessThanOrEqual(
      Math.ceil(0.02 * counted) + 1,
    );
  });

  it("never shows one tenant another's values", async () => {
    const [first, second] = tenants as [
      { created: CreatedTenant; id: TenantId },
      { created: CreatedTenant; id: TenantId },
    ];
    const question = { from, to, metrics: ['events'], breakdown: ['event'] };
    const answers = await Promise.all([ask(first.created, question), ask(second.created, question)]);
    for (const [i, { id }] of [first, second].entries()) {
      const own = sent.filter((e) => e.tenantId === id);
      expect(answers[i]?.body.totals).toEqual({ events: own.length });
    }
    // The body can name no tenant: the read key alone decides whose data is read.
    const smuggled = await ask(first.created, { ...question, tenantId: second.id });
    expect(smuggled.status).toBe(400);
  });

  it('refuses what it cannot answer with 400 naming the field', async () => {
    const [{ created }] = tenants as [{ created: CreatedTenant; id: TenantId }];
    const cases: [Record<string, unknown>, string][] = [
      [{ metrics: ['median:properties.revenue'] }, 'metrics.0'],
      [{ filters: [{ field: 'properties.plan', op: 'like', value: 'p' }] }, 'filters.0.op'],
      [{ breakdown: ['$country'], path: 'counters' }, 'path'],
      [{ from: new Date(now - 40 * DAY_MS).toISOString(), to, breakdown: ['$country'] }, 'from'],
      [{ from, to, interval: 'minute' }, 'interval'],
      // A key the worker never writes: it would match properties.a's entries "b=…".
      [{ breakdown: ['properties.a=b'] }, 'breakdown.0'],
      // Uniques of two named events have no sketch: a forced counter path is refused, not scanned.
      [{ events: ['Purchase', 'Viewed'], metrics: ['uniques'], path: 'counters' }, 'path'],
    ];
    for (const [question, field] of cases) {
      const answer = await ask(created, question);
      expect([answer.status, (answer.body['problems'] as { field: string }[] | undefined)?.[0]?.field]).toEqual([
        400,
        field,
      ]);
    }
  });

  it("holds a tenant to its scans on all replicas together, not one tenant's scans to another's", async () => {
    const [first, other] = tenants as [
      { created: CreatedTenant; id: TenantId },
      { created: CreatedTenant; id: TenantId },
    ];
    // A new question each time, so neither comes from the cache; each scan takes a second or more here.
    const scanOf = (limit: number) => ({ from, to, breakdown: ['$path'], path: 'scan', limit });
    const sameTenant = await Promise.all([
      ask(first.created, scanOf(901)),
      ask(first.created, scanOf(902), SECOND_REPLICA),
    ]);
    expect(sameTenant.map((a) => a.status).sort()).toEqual([200, 429]);
    const twoTenants = await Promise.all([
      ask(first.created, scanOf(903)),
      ask(other.created, scanOf(903), SECOND_REPLICA),
    ]);
    expect(twoTenants.map((a) => a.status)).toEqual([200, 200]);
  });
});

function segmentEventOf(event: SentEvent): SegmentEvent {
  return {
    type: 'track',
    event: event.name,
    userId: event.user,
    messageId: randomUUID(),
    properties: {
      ...(event.plan !== undefined && { plan: event.plan }),
      ...(event.revenue !== undefined && { revenue: event.revenue }),
    },
    context: {
      page: { path: event.path, url: `https://acme.example${event.path}` },
      ...(event.source !== undefined && { campaign: { source: event.source, medium: 'cpc' } }),
    },
  };
}

/** The metrics of the first test, by plain arithmetic over the events sent. */
function metricsOf(events: readonly SentEvent[]): Record<string, number | null> {
  const carried = events.flatMap((e) => (e.revenue === undefined ? [] : [e.revenue]));
  // Sums are exact in micro-units on the scan path: add them the same way here.
  const micros = carried.reduce((sum, n) => sum + Math.round(n * 1e6), 0);
  return {
    events: events.length,
    uniques: new Set(events.map((e) => e.user)).size,
    'sum:properties.revenue': micros / 1e6,
    'avg:properties.revenue': carried.length === 0 ? null : micros / 1e6 / carried.length,
  };
}

/** Ascending, (none) last: how an answer orders a breakdown field. */
function nullLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
