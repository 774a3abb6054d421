import { bucketOf, dirtyMinutesOf, rollupKeys } from '@tally/analytics-store';
import type { SummaryAnswer } from '@tally/contracts';
import { createRedisClient } from '@tally/redis';
import type { CreatedTenant } from '@tally/tenancy';
import { eventually, sleep, testEnvironment } from '@tally/testing';
import { minuteWindow, readAnswer } from './support/aggregation-reads';
import { readDeadLetters, type DeadLetterReader } from './support/dead-letter-reader';
import { p99 } from './support/freshness';
import { startOwnPlatform, type OwnPlatform } from './support/own-platform';
import {
  judgeRound,
  playRounds,
  runSteady,
  type SteadyRun,
  type SteadyTenant,
  type Yardstick,
  STEADY_QUOTA,
  STEADY_RUN_MS,
  countsSentIn,
  openSteadyTenant,
} from './support/steady-tenant';
import { HostileClient } from './support/hostile-client';
import { type Answer, type AttackRound, sendDistinctNames } from './support/tenant-attacks';
import { mongoDocumentSizes, redisFootprint } from './support/tenant-footprint';
import { provisionTenant } from './support/tenants';

const PORTS = { ingest: 3980, aggregation: 3981, worker: 3982 };

/**
 * A, the hostile tenant, has room to do harm: a quota that lets every attack through, so
 * what holds it back is the bound each mechanism has, not the rate limit (the noisy
 * neighbour test covers that). B sends 10 events/s and follows them like a dashboard.
 */
const HOSTILE_QUOTA = { ingestEventsPerSecond: 2_000, ingestBurst: 5_000, queriesPerMinute: 6_000 };
const RUN_MS = STEADY_RUN_MS;
/** Distinct names A sends per round: past the 994 a tenant may have. */
const NAMES_PER_ROUND = 1_200;
const MAX_NAMES = 994;
const LIVE_STREAMS_ALLOWED = 20;

/**
 * "Within 2×" of B alone, for p99s. A p99 of one run's ~80 events is its slowest event or
 * two, which one scheduling hiccup of a shared 2-core machine (a GC pause, a FerretDB
 * checkpoint) moves by hundreds of milliseconds; so twice the baseline, or the baseline
 * and a floor: 500 ms for freshness (also what polling every 100 ms, the 500 ms cache of
 * open windows and live frames every 250 ms resolve), 100 ms for a query. What the attacks
 * did before their bounds cost tens of seconds: a stopped partition, a frozen event loop.
 */
const twiceOr = (floorMs: number) => (aloneMs: number) => Math.max(aloneMs * 2, aloneMs + floorMs);
const YARDSTICK: Yardstick = {
  statistic: p99,
  bounds: { queryFreshnessMs: twiceOr(500), liveFreshnessMs: twiceOr(500), queryLatencyMs: twiceOr(100) },
};
const ROUNDS = 3;

const acceptedBy = (answers: readonly Answer[]) => answers.reduce((sum, a) => sum + (a.body.accepted ?? 0), 0);

/**
 * Tenant A does its worst, every mechanism of issue 17 at once, while tenant B sends and
 * queries: poison through ingest and straight into Kafka, more names than a tenant may
 * have (the longest allowed), events from year 1, six concurrent ~450 KB requests for one
 * user, 400-day minute series in a zone with DST beside a storm of uncached queries, and
 * more live streams than it may hold. B's events are all counted and its p99 freshness
 * and query latency stay within 2× of B alone, or the floors of YARDSTICK; A is refused with reasons; A's Redis
 * keys stop growing at its name bound and its MongoDB documents stay small; nothing crashes.
 */
describe('hostile tenant: one tenant does its worst within its quota, another keeps its service', () => {
  const env = testEnvironment();
  let platform: OwnPlatform;
  let hostile: CreatedTenant;
  let steady: CreatedTenant;
  let steadyTenant: SteadyTenant;
  let deadLetters: DeadLetterReader;
  let attacker: HostileClient;
  let warmUpAt: number;

  beforeAll(async () => {
    [hostile, steady] = await Promise.all([provisionTenant(env, HOSTILE_QUOTA), provisionTenant(env, STEADY_QUOTA)]);
    deadLetters = await readDeadLetters(env, hostile.tenantId);
    // The rollup job runs as deployed (every 5 s): rolling up A's minutes is part of what A makes the platform do.
    platform = await startOwnPlatform(env, PORTS, { LIVE_PUSH_INTERVAL_MS: '250', AGGREGATION_INTERVAL_MS: '5000' });
    ({ steady: steadyTenant, warmUpAt } = await openSteadyTenant(platform, steady));
    attacker = HostileClient.start({
      env,
      ingestUrl: platform.ingestUrl,
      aggregationUrl: platform.aggregationUrl,
      aggregationPort: PORTS.aggregation,
      tenant: hostile,
      namesPerRound: NAMES_PER_ROUND,
      liveStreamsAllowed: LIVE_STREAMS_ALLOWED,
    });
  }, 180_000);

  afterAll(async () => {
    steadyTenant?.live.close();
    await Promise.all([platform?.stop(), deadLetters?.stop(), attacker?.close()]);
  });

  /** A's events of every accepted answer so far, all counted (under their names or `(other)`). */
  const hostileCounts = async (sinceMs: number) =>
    readAnswer<SummaryAnswer>(
      platform.aggregationUrl,
      hostile.readKey,
      `/aggregation?${minuteWindow(sinceMs, Date.now() + 3 * 60_000)}`,
    );

  it('bounds every attack, refuses it with reasons, and keeps the other tenant exact and fresh', async () => {
    const runs: SteadyRun[] = [];
    const attacks: AttackRound[] = [];
    const firstAttackAt = Date.now();
    const hostileAccepted = () => attacks.reduce((sum, a) => sum + acceptedBy(a.names) + acceptedBy(a.large), 0);
    const rounds = await playRounds(ROUNDS, async (round) => {
      const before = await runSteady(steadyTenant, `Steady ${round} before`);
      const attacking = attacker.attack(round);
      await sleep(1_000);
      const beside = await runSteady(steadyTenant, `Steady ${round} beside`);
      attacks.push(await attacking.stop());
      // B alone again only once nothing of A is left in the pipeline.
      const accepted = hostileAccepted();
      await eventually(
        async () => expect((await hostileCounts(firstAttackAt)).totalEvents).toBe(accepted),
        90_000,
        500,
      );
      const after = await runSteady(steadyTenant, `Steady ${round} after`);
      runs.push(before, beside, after);
      const judged = judgeRound(YARDSTICK, RUN_MS, before, beside, after);
      process.stdout.write(`hostile tenant, round ${round}: ${JSON.stringify(judged)}\n`);
      return judged;
    });

    // B: every request accepted whole, and no slower beside A than alone (p99s within 2×).
    expect(runs.flatMap((r) => r.answers).filter((a) => a.status !== 200 || a.accepted !== 1)).toEqual([]);
    expect({ rounds, holds: rounds.at(-1)?.verdict === 'holds' }).toEqual({ rounds, holds: true });

    // A's poison: refused per event at ingest, naming why; written past ingest, dead-lettered with its reason.
    for (const { poisonIngest } of attacks) {
      expect(poisonIngest.status).toBe(400);
      expect(poisonIngest.body.rejected).toHaveLength(128);
      expect(poisonIngest.body.rejected?.filter((r) => !/lone UTF-16 surrogate|holds U\+0000/.test(r.reason))).toEqual(
        [],
      );
    }
    const poisonKeys = attacks.flatMap((a) => a.poisonKafkaKeys);
    await eventually(
      async () =>
        expect(new Map(deadLetters.seen.map((d) => [d.key, d.reason]))).toEqual(
          new Map(poisonKeys.map((key) => [key, 'invalid_envelope'])),
        ),
      60_000,
      500,
    );

    // A's dates: year 1 and 500 days ago, each refused with the bound it broke.
    for (const { backDated } of attacks) {
      expect(backDated.status).toBe(400);
      expect(backDated.body.rejected?.map((r) => r.reason.match(/more than 400 days before/)?.[0])).toEqual(
        Array(50).fill('more than 400 days before'),
      );
    }

    // A's large requests: all written, none failing another's produce.
    for (const { large } of attacks)
      expect(large.map((a) => [a.status, a.body.accepted])).toEqual(Array(6).fill([200, 15]));

    // A's queries: the huge series refused before any work, the rest held to 4 at once.
    const storm = attacks.map((a) => a.storm);
    const tooLarge = storm.flatMap((s) => s.tooLarge);
    expect(tooLarge.filter((a) => a.status !== 400 || !/too many buckets/.test(a.body.message ?? ''))).toEqual([]);
    const expensive = storm.flatMap((s) => s.expensive);
    const throttled = expensive.filter((a) => a.status === 429);
    expect(expensive.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.filter((a) => !/being computed at once/.test(a.body.message ?? ''))).toEqual([]);

    // A's live streams: at most 20 at once; the rest refused, saying why.
    for (const attempts of attacks.map((a) => a.live)) {
      expect(attempts.filter((a) => a.status === 200).length).toBeLessThanOrEqual(LIVE_STREAMS_ALLOWED);
      const refused = attempts.filter((a) => a.status !== 200);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.filter((a) => a.status !== 429 || !/too many open live streams/.test(a.body))).toEqual([]);
    }

    // A's names: 994 of them named, every further one counted as `(other)`, the total exact.
    const counted = (await hostileCounts(firstAttackAt)).countsByEvent;
    expect(Object.keys(counted).filter((name) => name !== '(other)')).toHaveLength(MAX_NAMES);
    expect(Object.values(counted).reduce((sum, n) => sum + n, 0)).toBe(hostileAccepted());

    // A's Redis keys stop growing at the name bound: 2,400 more new names cost next to nothing.
    const atBound = await redisFootprint(env, hostile.tenantId);
    const more = await sendDistinctNames(platform.ingestUrl, hostile, 'more', 2 * NAMES_PER_ROUND);
    expect(acceptedBy(more)).toBe(2 * NAMES_PER_ROUND);
    const total = hostileAccepted() + acceptedBy(more);
    await eventually(async () => expect((await hostileCounts(firstAttackAt)).totalEvents).toBe(total), 90_000, 500);
    const beyond = await redisFootprint(env, hostile.tenantId);
    process.stdout.write(`hostile tenant, Redis: ${JSON.stringify({ atBound, beyond })}\n`);
    // Named, they would cost what the first 994 did each (~10 KB: the name in a counter field and in
    // three HyperLogLog keys); folded, under 5 % of that (what moves is new minutes' keys, and rollups).
    const perName = atBound.bytes / MAX_NAMES;
    expect(beyond.bytes - atBound.bytes).toBeLessThan(2 * NAMES_PER_ROUND * perName * 0.05);

    // A's MongoDB documents, once every minute A wrote has closed and been rolled up: bounded by the name bound.
    const lastMinute = bucketOf(Date.now(), 'minute');
    const redis = createRedisClient(env.redis, 'tally-e2e-hostile');
    try {
      await eventually(
        async () => {
          const open = bucketOf(Date.now(), 'minute');
          const dirty = dirtyMinutesOf(await redis.hkeys(rollupKeys.dirtyMinutes(hostile.tenantId)));
          expect({ closed: open > lastMinute, dirty: dirty.filter((minute) => minute < open) }).toEqual({
            closed: true,
            dirty: [],
          });
        },
        150_000,
        1_000,
      );
    } finally {
      await redis.quit();
    }
    // Once rolled up, A's keys live minutes, not days: what lasts beyond a day is its names set
    // (and the newest arrival, one short string).
    const rolledUp = await redisFootprint(env, hostile.tenantId);
    process.stdout.write(`hostile tenant, Redis once rolled up: ${JSON.stringify(rolledUp)}\n`);
    expect(rolledUp.lastingBytes).toBeLessThan(MAX_NAMES * 768 * 2);
    const documents = await mongoDocumentSizes(env, hostile.tenantId);
    process.stdout.write(`hostile tenant, MongoDB: ${JSON.stringify(documents)}\n`);
    expect(documents.rollups.documents).toBeGreaterThan(0);
    expect(documents.mostNamesInARollup).toBeLessThanOrEqual(MAX_NAMES + 1);
    // A name is at most 768 bytes: 995 of them, with their counts, stay far below MongoDB's 16 MB.
    expect(documents.rollups.largestBytes).toBeLessThan(1024 * 1024);
    expect(documents.sketches.largestBytes).toBeLessThan(16 * 1024 * 1024);
    // An event is at most 32 KB; its document is the event and a few fields.
    expect(documents.rawEvents.largestBytes).toBeLessThan(40 * 1024);

    // B, in the end: every event it sent, once.
    await eventually(
      async () => {
        const b = await readAnswer<SummaryAnswer>(
          platform.aggregationUrl,
          steady.readKey,
          `/aggregation?${minuteWindow(warmUpAt, Date.now() + 3 * 60_000)}`,
        );
        expect(b.countsByEvent).toEqual(countsSentIn(runs));
      },
      120_000,
      1_000,
    );

    // Nothing crashed: every app still ready.
    for (const port of Object.values(PORTS)) {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }
  }, 600_000);
});
