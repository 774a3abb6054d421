import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { DateTime } from 'luxon';
import type Redis from 'ioredis';
import { bucketOf, dirtyMinutesOf, rollupKeys } from '@tally/analytics-store';
import {
  EVENT_ENVELOPE_VERSION,
  type LiveFrame,
  type SummaryAnswer,
  type TimeseriesAnswer,
  type TopEventsAnswer,
  type UniquesAnswer,
} from '@tally/contracts';
import { createRedisClient } from '@tally/redis';
import type { CreatedTenant } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { eventually, mappedRoutes, sleep, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { countsByName, envelopeMessage, makeDataset, type Dataset, type ExpectedTenant } from './support/event-dataset';
import { provisionTenant } from './support/tenants';
import { WorkerGroup, produceToEventsTopic } from './support/worker-group';

const DAY_MS = 86_400_000;
const WORKER_PORT = 3950;
const FIRST = 3951;
const SECOND = 3952;
const THIRD = 3953;
const ADMIN_TOKEN = `admin-${randomUUID()}`;

/**
 * aggregation-api against the real stack, with known answers: three tenants, events over
 * three days, duplicates and late arrivals, processed by the real worker. Every endpoint
 * must give exactly the known counts (uniques within 2 %) before the periodic aggregation
 * has run, after it, and with two replicas running it at once.
 */
describe('aggregation-api', () => {
  const env = testEnvironment();
  let group: WorkerGroup;
  let redis: Redis;
  const tenants: { created: CreatedTenant; id: TenantId }[] = [];
  const apps = new Map<number, RunningApp>();
  let dataset: Dataset;
  let from: string;
  let to: string;

  const startAggregation = async (port: number, intervalMs: number): Promise<void> => {
    apps.set(
      port,
      startApp('aggregation-api', {
        AGGREGATION_API_PORT: String(port),
        AGGREGATION_INTERVAL_MS: String(intervalMs),
        ADMIN_TOKEN,
        LOG_LEVEL: 'info',
      }),
    );
    await eventually(
      async () => expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200),
      60_000,
    );
  };

  const get = async <T>(port: number, tenant: CreatedTenant, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { authorization: `Bearer ${tenant.readKey}`, ...headers },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const created = await provisionTenant(env, { queriesPerMinute: 1_000_000 });
      tenants.push({ created, id: parseTenantId(created.tenantId) as TenantId });
    }
    redis = createRedisClient(env.redis, 'tally-e2e');
    group = await WorkerGroup.atTopicEnd(env);
    await group.start(WORKER_PORT);
    dataset = makeDataset({
      tenants: tenants.map((t) => t.id),
      events: 9_000,
      duplicateShare: 0.05,
      lateShare: 0.1,
      poison: 0,
      spreadMs: 3 * DAY_MS,
    });
    await produceToEventsTopic(env, dataset.messages);
    // The window covers every event: from the start of the first day to the next minute.
    from = new Date((bucketOf(Date.now() - 3 * DAY_MS, 'day') - 1) * DAY_MS).toISOString();
    to = new Date((bucketOf(Date.now(), 'minute') + 2) * 60_000).toISOString();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.stop()));
    await group?.stopAll();
    await redis?.quit();
  });

  /** Every endpoint, for every tenant, against the known answers. */
  const expectKnownAnswers = async (port: number): Promise<void> => {
    for (const { created, id } of tenants) {
      const expected = dataset.expected.get(id) as ExpectedTenant;
      const byName = countsByName(expected);
      const q = `from=${from}&to=${to}`;

      const summary = await get<SummaryAnswer>(port, created, `/aggregation?${q}`);
      expect(summary.status).toBe(200);
      expect(summary.body.totalEvents).toBe(expected.total);
      expect(summary.body.countsByEvent).toEqual(Object.fromEntries(byName));
      expectWithin2Percent(summary.body.uniqueUsers, expected.users.size);

      const top = await get<TopEventsAnswer>(port, created, `/v1/events/top?${q}&limit=3`);
      expect(top.body.events).toEqual(
        [...byName]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 3)
          .map(([name, count]) => ({ name, count })),
      );

      const hourly = await get<TimeseriesAnswer>(port, created, `/v1/timeseries?${q}&interval=hour`);
      expect(nonZero(hourly.body)).toEqual(
        expectedSeries(expected, (m) => isoOf(bucketOf(m * 60_000, 'hour') * 3_600_000)),
      );
      expect(hourly.body.total).toBe(expected.total);

      const tz = 'America/New_York';
      const name = 'Signed Up';
      const daily = await get<TimeseriesAnswer>(
        port,
        created,
        `/v1/timeseries?${q}&interval=day&tz=${encodeURIComponent(tz)}&event=${encodeURIComponent(name)}`,
      );
      expect(nonZero(daily.body)).toEqual(
        expectedSeries(
          expected,
          (m) =>
            DateTime.fromMillis(m * 60_000, { zone: tz })
              .startOf('day')
              .toUTC()
              .toISO(),
          name,
        ),
      );

      // A minute-level window inside the busiest hour, cut at odd minutes.
      const busiest = busiestHour(expected);
      const narrowFrom = new Date(busiest * 3_600_000 + 7 * 60_000).toISOString();
      const narrowTo = new Date(busiest * 3_600_000 + 53 * 60_000).toISOString();
      const minutes = await get<TimeseriesAnswer>(
        port,
        created,
        `/v1/timeseries?from=${narrowFrom}&to=${narrowTo}&interval=minute`,
      );
      expect(nonZero(minutes.body)).toEqual(
        expectedSeries(
          expected,
          (m) => isoOf(m * 60_000),
          undefined,
          (m) => m >= busiest * 60 + 7 && m < busiest * 60 + 53,
        ),
      );

      const uniques = await get<UniquesAnswer>(port, created, `/v1/uniques?${q}`);
      expectWithin2Percent(uniques.body.uniques, expected.users.size);
      const named = await get<UniquesAnswer>(port, created, `/v1/uniques?${q}&event=${encodeURIComponent(name)}`);
      expectWithin2Percent(named.body.uniques, expected.usersByName.get(name)?.size ?? 0);
    }
  };

  it('answers exactly before the periodic aggregation has run (from the worker counters)', async () => {
    await startAggregation(FIRST, 600_000); // its job would first run in 10 minutes
    await eventually(
      async () => {
        const { created, id } = tenants[0]!;
        const summary = await get<SummaryAnswer>(FIRST, created, `/aggregation?from=${from}&to=${to}`);
        expect(summary.body.totalEvents).toBe(dataset.expected.get(id)?.total);
      },
      120_000,
      1_000,
    );
    await expectKnownAnswers(FIRST);
    expect(await closedDirtyMinutes(tenants[0]!.id)).toBeGreaterThan(0);
    await apps.get(FIRST)?.stop();
    apps.delete(FIRST);
  }, 300_000);

  it('rolls up on one leader of two replicas, and both answer exactly from rollups', async () => {
    await Promise.all([startAggregation(SECOND, 500), startAggregation(THIRD, 500)]);
    await eventually(
      async () => {
        for (const { id } of tenants) expect(await closedDirtyMinutes(id)).toBe(0);
      },
      360_000,
      1_000,
    );
    await expectKnownAnswers(SECOND);
    await expectKnownAnswers(THIRD);

    const [second, third] = await Promise.all([metricsOf(SECOND), metricsOf(THIRD)]);
    const leaders = [second, third].filter((m) => /^aggregation_leader\{[^}]*\} 1$/m.test(m));
    expect(leaders).toHaveLength(1);
    const follower = leaders[0] === second ? third : second;
    expect(follower).not.toMatch(/aggregation_runs_total\{outcome="done"[^}]*\} [1-9]/);
    expect(follower).not.toMatch(/aggregation_minutes_rolled_total\{[^}]*\} [1-9]/);
  }, 480_000);

  it('counts late events into closed, rolled-up minutes and drops cached answers they change', async () => {
    const { created, id } = tenants[1]!;
    const expected = dataset.expected.get(id) as ExpectedTenant;
    const hour = busiestHour(expected);
    const window = `from=${isoOf(hour * 3_600_000)}&to=${isoOf((hour + 1) * 3_600_000)}`;
    const before = await get<SummaryAnswer>(SECOND, created, `/aggregation?${window}`);
    const cached = await get<SummaryAnswer>(SECOND, created, `/aggregation?${window}`);
    expect(cached.headers.get('x-cache')).toBe('hit');

    const late = Array.from({ length: 5 }, (_, i) => envelopeOf(id, 'Late Arrival', (hour * 60 + 10 + i) * 60_000));
    await produceToEventsTopic(env, late);
    await eventually(
      async () => {
        const after = await get<SummaryAnswer>(SECOND, created, `/aggregation?${window}`);
        expect(after.body.totalEvents).toBe(before.body.totalEvents + 5);
        expect(after.body.countsByEvent['Late Arrival']).toBe(5);
      },
      30_000,
      500,
    );
    // Rolled up again, and the rollup agrees.
    await eventually(async () => expect(await closedDirtyMinutes(id)).toBe(0), 60_000, 500);
    const rolled = await get<SummaryAnswer>(THIRD, created, `/aggregation?${window}`);
    expect(rolled.body.totalEvents).toBe(before.body.totalEvents + 5);
  }, 120_000);

  it('shows a new event in an open window and on /v1/live within 2 s', async () => {
    const { created, id } = tenants[2]!;
    const live = await openLive(SECOND, created);
    try {
      await live.next(); // the frame sent on connect
      const openWindow = () => `/v1/timeseries?from=${isoOf(Date.now() - 3_600_000)}&interval=minute&event=Fresh`;
      const baseline = (await get<TimeseriesAnswer>(SECOND, created, openWindow())).body.total;
      const liveBefore = (await live.next()).total;

      const sentAt = Date.now();
      await produceToEventsTopic(env, [envelopeOf(id, 'Fresh', Date.now())]);
      const inQuery = (async () => {
        while (Date.now() - sentAt < 10_000) {
          if ((await get<TimeseriesAnswer>(SECOND, created, openWindow())).body.total === baseline + 1) {
            return Date.now() - sentAt;
          }
          await sleep(100);
        }
        return Number.POSITIVE_INFINITY;
      })();
      const onLive = (async () => {
        while (Date.now() - sentAt < 10_000) if ((await live.next()).total > liveBefore) return Date.now() - sentAt;
        return Number.POSITIVE_INFINITY;
      })();
      const [queryMs, liveMs] = await Promise.all([inQuery, onLive]);
      expect({ queryMs, liveMs, bothWithin2s: queryMs <= 2_000 && liveMs <= 2_000 }).toEqual({
        queryMs,
        liveMs,
        bothWithin2s: true,
      });
    } finally {
      live.close();
    }
  }, 60_000);

  it('caches: a second identical query is a hit, a matching If-None-Match gets 304', async () => {
    const { created } = tenants[0]!;
    const path = `/v1/events/top?from=${from}&to=${isoOf(Date.now() - 3_600_000)}`;
    const first = await get<TopEventsAnswer>(SECOND, created, path);
    const second = await get<TopEventsAnswer>(SECOND, created, path);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.body).toEqual(first.body);
    const etag = second.headers.get('etag') as string;
    expect(etag).toMatch(/^".+"$/);
    const revalidated = await get(SECOND, created, path, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBeUndefined();
    expect((await get(SECOND, created, path, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it.each([
    ['a date that is not ISO-8601', '/v1/timeseries?from=yesterday', /from: must be an ISO-8601 instant/],
    ['a reversed range', `/v1/uniques?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z`, /from: must be before to/],
    [
      'too many buckets',
      `/v1/timeseries?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&interval=minute`,
      /too many buckets/,
    ],
    [
      // Counted, not built: building them took 22 s of the event loop, every other tenant waiting.
      'a 400-day minute series in a DST zone',
      `/v1/timeseries?from=2025-10-24T00:00:00Z&to=2026-11-28T00:00:00Z&interval=minute&tz=Europe%2FParis`,
      /^invalid query: interval: too many buckets: 576,000 minute buckets, at most 1,500/,
    ],
    ['an unknown interval', '/v1/timeseries?interval=week', /interval: must be one of minute, hour, day/],
    ['an unknown time zone', '/v1/timeseries?tz=Mars%2FOlympus', /tz: must be an IANA time zone/],
    ['a range beyond 400 days', '/aggregation?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /at most 400 days/],
    ['a limit out of bounds', '/v1/events/top?limit=1000', /limit: must be at most 100/],
    ['an operator smuggled into a parameter', '/aggregation?from[$gt]=2026-01-01', /from\[\$gt\]/],
    ['an unknown parameter', '/v1/uniques?tenantId=t_x', /tenantId/],
  ])('answers 400 naming the problem for %s', async (_case, path, message) => {
    const response = await get<{ message: string }>(SECOND, tenants[0]!.created, path);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
  });

  it('describes every route it serves in the OpenAPI document at /docs', async () => {
    const document = (await (await fetch(`http://127.0.0.1:${SECOND}/docs`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = mappedRoutes(apps.get(SECOND)?.output() ?? '').filter((r) => !r.path.startsWith('/docs'));
    expect(served.length).toBeGreaterThan(10);
    const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
    expect(served.filter((r) => !document.paths[openApiPath(r.path)]?.[r.method.toLowerCase()])).toEqual([]);
  });

  it("never shows one tenant's data to another's read key, on any query route of the route table", async () => {
    const queryRoutes = mappedRoutes(apps.get(SECOND)?.output() ?? '')
      .filter((r) => r.method === 'GET' && !/^\/(admin|health|metrics|docs)/.test(r.path))
      .map((r) => r.path);
    expect(queryRoutes).toEqual(expect.arrayContaining(['/aggregation', '/v1/timeseries', '/v1/live']));
    const postRoutes = mappedRoutes(apps.get(SECOND)?.output() ?? '')
      .filter((r) => r.method === 'POST' && !/^\/(admin|health|metrics|docs)/.test(r.path))
      .map((r) => r.path);
    expect(postRoutes).toEqual(['/v1/query']);
    // Every path of the question route: the counters, and a scan of raw events by a dimension.
    const questions = [
      { from, to, breakdown: ['event'], metrics: ['events', 'uniques'] },
      { from, to, breakdown: ['event', '$library'], metrics: ['events', 'uniques'], path: 'scan' },
    ];
    const [a, b] = [tenants[0]!, tenants[1]!];
    // The POST questions first, then the GET routes at once: never more than the tenant's four
    // uncached answers in progress on the replica (QUERY_MAX_CONCURRENT_PER_TENANT).
    const answersOf = async (tenant: CreatedTenant) => [
      ...(await Promise.all(
        questions.map(async (question, i) => {
          const response = await fetch(`http://127.0.0.1:${SECOND}/v1/query`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tenant.readKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(question),
          });
          // Freshness too: B's arrivals must not show in A's answer.
          return { route: `POST /v1/query #${i}`, status: response.status, body: await response.text() };
        }),
      )),
      ...(await Promise.all(
        queryRoutes.map(async (route) => {
          if (route === '/v1/live') {
            const live = await openLive(SECOND, tenant);
            try {
              const frame = await live.next();
              return { route, status: 200, body: JSON.stringify({ total: frame.total }) };
            } finally {
              live.close();
            }
          }
          // Fixed instants: the same question before and after B's events.
          const response = await fetch(`http://127.0.0.1:${SECOND}${route}?from=${from}&to=${to}`, {
            headers: { authorization: `Bearer ${tenant.readKey}` },
          });
          return { route, status: response.status, body: await response.text() };
        }),
      )),
    ];

    const before = await answersOf(a.created);
    expect(before.map((r) => [r.route, r.status])).toEqual(
      [...questions.map((_, i) => `POST /v1/query #${i}`), ...queryRoutes].map((route) => [route, 200]),
    );
    // Tenant B gets new events, with a name and users only B has.
    const marker = `Only ${b.id}`;
    const burst = Array.from({ length: 50 }, (_, i) => envelopeOf(b.id, marker, Date.now() - i * 1_000));
    await produceToEventsTopic(env, burst);
    await eventually(async () => {
      const seen = await get<SummaryAnswer>(SECOND, b.created, '/aggregation');
      expect(seen.body.countsByEvent[marker]).toBe(50);
    }, 30_000);
    await sleep(1_000); // past the open-window cache
    const after = await answersOf(a.created);
    // /v1/live covers the last minute: A's total may only shrink as the window slides (B's 50 would add).
    const liveTotal = (answers: typeof before) =>
      (JSON.parse(answers.find((r) => r.route === '/v1/live')?.body ?? '{}') as { total: number }).total;
    expect(liveTotal(after)).toBeLessThanOrEqual(liveTotal(before));
    const withoutLive = (answers: typeof before) => answers.filter((r) => r.route !== '/v1/live');
    expect(withoutLive(after)).toEqual(withoutLive(before));
    for (const answer of after) {
      expect(answer.body).not.toContain(marker);
      expect(answer.body).not.toContain(b.id);
    }
  }, 60_000);

  it('holds a tenant to its live streams across replicas', async () => {
    const { created } = tenants[1]!;
    // LIVE_MAX_STREAMS_PER_TENANT is 20 for the tenant on all replicas together, not on each.
    const open = await Promise.all(Array.from({ length: 20 }, (_, i) => openLive(i % 2 ? SECOND : THIRD, created)));
    try {
      const refused = await fetch(`http://127.0.0.1:${SECOND}/v1/live`, {
        headers: { authorization: `Bearer ${created.readKey}` },
      });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toContain('too many open live streams');
    } finally {
      for (const stream of open) stream.close();
    }
    // Closed streams give their places back.
    await eventually(async () => {
      const again = await openLive(THIRD, created);
      again.close();
    }, 10_000);
  }, 60_000);

  it('refuses a rotated read key on another replica within 5 s, and ends its open live stream', async () => {
    const { created, id } = tenants[2]!;
    expect((await get(THIRD, created, '/v1/uniques')).status).toBe(200);
    const live = await openLive(THIRD, created);
    await live.next();
    const liveEnded = (async () => {
      for (;;) {
        try {
          await live.next();
        } catch (error) {
          return { reason: error instanceof LiveStreamEnded ? error.reason : String(error), at: Date.now() };
        }
      }
    })();
    const rotation = await fetch(`http://127.0.0.1:${SECOND}/admin/tenants/${id}/keys/read/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(rotation.status).toBe(200);
    const rotatedAt = Date.now();
    const { key } = (await rotation.json()) as { key: string };
    let refusedAfterMs = Number.POSITIVE_INFINITY;
    while (Date.now() - rotatedAt < 10_000) {
      if ((await get(THIRD, created, '/v1/uniques')).status === 401) {
        refusedAfterMs = Date.now() - rotatedAt;
        break;
      }
      await sleep(100);
    }
    expect({ refusedAfterMs, within5s: refusedAfterMs <= 5_000 }).toEqual({ refusedAfterMs, within5s: true });
    expect((await get(THIRD, { ...created, readKey: key }, '/v1/uniques')).status).toBe(200);
    const ended = await liveEnded;
    expect({ reason: ended.reason, within5s: ended.at - rotatedAt <= 5_000 }).toEqual({
      reason: 'the key was revoked or its tenant disabled',
      within5s: true,
    });
  }, 30_000);

  async function closedDirtyMinutes(tenantId: TenantId): Promise<number> {
    const open = bucketOf(Date.now(), 'minute');
    return dirtyMinutesOf(await redis.hkeys(rollupKeys.dirtyMinutes(tenantId))).filter((m) => m < open).length;
  }

  async function metricsOf(port: number): Promise<string> {
    return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }
});

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** The expected non-empty buckets: minute → bucket start (ISO), optionally one event name and a minute filter. */
function expectedSeries(
  expected: ExpectedTenant,
  bucketOfMinute: (minute: number) => string | null,
  name?: string,
  keep: (minute: number) => boolean = () => true,
): Record<string, number> {
  const series: Record<string, number> = {};
  for (const [key, n] of expected.counts) {
    const [minute, counted] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
    if ((name !== undefined && counted !== name) || !keep(minute)) continue;
    const bucket = bucketOfMinute(minute) as string;
    series[bucket] = (series[bucket] ?? 0) + n;
  }
  return series;
}

function nonZero(answer: TimeseriesAnswer): Record<string, number> {
  return Object.fromEntries(answer.buckets.filter((b) => b.count > 0).map((b) => [b.start, b.count]));
}

function busiestHour(expected: ExpectedTenant): number {
  const perHour = new Map<number, number>();
  for (const [key, n] of expected.counts) {
    const hour = Math.floor(Number(key.slice(0, key.indexOf('|'))) / 60);
    perHour.set(hour, (perHour.get(hour) ?? 0) + n);
  }
  return [...perHour].sort((a, b) => b[1] - a[1])[0]![0];
}

function expectWithin2Percent(estimate: number, exact: number): void {
  expect({ estimate, exact, withinTwoPercent: Math.abs(estimate - exact) <= Math.max(1, exact * 0.02) }).toEqual({
    estimate,
    exact,
    withinTwoPercent: true,
  });
}

function envelopeOf(tenantId: TenantId, event: string, atMs: number): Message {
  const messageId = randomUUID();
  return envelopeMessage(
    {
      v: EVENT_ENVELOPE_VERSION,
      tenantId,
      messageId,
      receivedAt: new Date().toISOString(),
      timestamp: new Date(atMs).toISOString(),
      event: { type: 'track', event, userId: 'late-user', messageId },
    },
    `${tenantId}:late-user`,
  );
}

/** The `end` event of a live stream: the server closed it, saying why. */
class LiveStreamEnded extends Error {
  constructor(readonly reason: string) {
    super(`the live stream ended: ${reason}`);
  }
}

/** A `/v1/live` stream: `next()` resolves with the next frame, and throws LiveStreamEnded at its end. */
async function openLive(port: number, tenant: CreatedTenant) {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/v1/live`, {
    headers: { authorization: `Bearer ${tenant.readKey}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  // A stream counts once against the query quota, and its answer says so like every query's.
  expect(response.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
  expect(response.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<LiveFrame> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data && block.startsWith('event: end')) {
            throw new LiveStreamEnded((JSON.parse(data.slice('data: '.length)) as { reason: string }).reason);
          }
          if (data) return JSON.parse(data.slice('data: '.length)) as LiveFrame;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the live stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => controller.abort(),
  };
}
