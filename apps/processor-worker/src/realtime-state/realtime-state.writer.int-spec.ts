import type Redis from 'ioredis';
import { freshCountersField, realtimeKeys, rollupKeys } from '@tally/analytics-store';
import { createRedisClient } from '@tally/redis';
import { newTenantId } from '@tally/tenant-scope';
import { testEnvironment, uniqueName } from '@tally/testing';
import { RealtimeStateWriter, type OffsetEvent } from './realtime-state.writer';

/** The exactly-once rules of the Redis side, against real Redis. */
describe('RealtimeStateWriter', () => {
  const env = testEnvironment();
  let redis: Redis;
  let writer: RealtimeStateWriter;

  beforeAll(() => {
    redis = createRedisClient(env.redis, 'tally-test');
    writer = new RealtimeStateWriter(redis);
  });

  afterAll(() => redis.quit());

  const now = Date.now();
  const minute = Math.floor(now / 60_000);
  const tenant = newTenantId();
  const events = (from: number, to: number): OffsetEvent[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      tenantId: tenant,
      name: 'Signed Up',
      userKey: `u:${from + i}`,
      timestampMs: now,
      receivedAtMs: now,
      offset: BigInt(from + i),
    }));
  const counted = async () => Number((await redis.hget(realtimeKeys.counts(tenant, minute), 'Signed Up')) ?? 0);

  it('applies a chunk once: a redelivery at or below the mark changes nothing', async () => {
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 0);
    const before = await counted();
    const first = await writer.begin(keys, 0n, 9n);
    expect(first).toMatchObject({ mark: -1n, earlierAttempt: undefined });
    expect(await writer.apply(keys, first, RealtimeStateWriter.prepare(events(0, 9), first, now), 9n)).toEqual({
      applied: 10,
      alreadyApplied: 0,
    });
    // The same chunk again, as after a crash before the commit: the mark covers it.
    const again = await writer.begin(keys, 0n, 9n);
    expect(await writer.apply(keys, again, RealtimeStateWriter.prepare(events(0, 9), again, now), 9n)).toEqual({
      applied: 0,
      alreadyApplied: 10,
    });
    // A redelivery cut differently: only what lies past the mark counts.
    const cut = await writer.begin(keys, 5n, 14n);
    expect(await writer.apply(keys, cut, RealtimeStateWriter.prepare(events(5, 14), cut, now), 14n)).toEqual({
      applied: 5,
      alreadyApplied: 5,
    });
    expect((await counted()) - before).toBe(15);
  });

  it('refuses the apply of an attempt another one opened after (two consumers during a rebalance)', async () => {
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 2);
    const before = await counted();
    const zombie = await writer.begin(keys, 0n, 9n);
    const owner = await writer.begin(keys, 0n, 19n);
    // The owner sees the zombie's range: conflicts there may be the same messages' inserts.
    expect(owner.earlierAttempt).toEqual({ first: 0n, last: 9n });
    expect(
      await writer.apply(keys, zombie, RealtimeStateWriter.prepare(events(0, 9), zombie, now), 9n),
    ).toBeUndefined();
    expect(await writer.apply(keys, owner, RealtimeStateWriter.prepare(events(0, 19), owner, now), 19n)).toEqual({
      applied: 20,
      alreadyApplied: 0,
    });
    expect((await counted()) - before).toBe(20);
  });

  it('reports the range of an attempt that never applied, so its inserts are recognised', async () => {
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 1);
    await writer.begin(keys, 100n, 199n); // crashed here: MongoDB written, Redis not
    const again = await writer.begin(keys, 100n, 149n); // redelivered, cut smaller
    expect(again).toMatchObject({ mark: -1n, earlierAttempt: { first: 100n, last: 199n } });
    await writer.apply(keys, again, RealtimeStateWriter.prepare(events(100, 149), again, now), 149n);
    // The rest of the first attempt is still unapplied: the next chunk still sees it.
    const next = await writer.begin(keys, 150n, 249n);
    expect(next).toMatchObject({ mark: 149n, earlierAttempt: { first: 100n, last: 199n } });
    await writer.apply(keys, next, RealtimeStateWriter.prepare(events(150, 249), next, now), 249n);
    expect(await writer.begin(keys, 250n, 260n)).toMatchObject({ mark: 249n, earlierAttempt: undefined });
  });

  it('flags a minute whose counters it creates, and only then, for the aggregation job', async () => {
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 0);
    const other = newTenantId();
    const at = (offset: number): OffsetEvent => ({ ...events(offset, offset)[0]!, tenantId: other });
    const flag = () => redis.hget(rollupKeys.dirtyMinutes(other), freshCountersField(minute));
    const first = await writer.begin(keys, 0n, 0n);
    await writer.apply(keys, first, RealtimeStateWriter.prepare([at(0)], first, now), 0n);
    expect(await flag()).toBe('1');
    expect(await redis.hget(rollupKeys.dirtyMinutes(other), String(minute))).toBe('1');
    await redis.hdel(rollupKeys.dirtyMinutes(other), freshCountersField(minute)); // the job consumed it
    const second = await writer.begin(keys, 1n, 1n);
    await writer.apply(keys, second, RealtimeStateWriter.prepare([at(1)], second, now), 1n);
    expect(await flag()).toBeNull();
    expect(await redis.hget(rollupKeys.dirtyMinutes(other), String(minute))).toBe('2');
  });

  it('keeps the newest arrival of a tenant, whatever order chunks apply in', async () => {
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 5);
    const own = newTenantId();
    const arriving = (offset: number, receivedAtMs: number): OffsetEvent => ({
      tenantId: own,
      name: 'Signed Up',
      userKey: 'u:1',
      timestampMs: now,
      receivedAtMs,
      offset: BigInt(offset),
    });
    const newest = async () => Number(await redis.get(realtimeKeys.newestReceived(own)));
    const first = await writer.begin(keys, 0n, 1n);
    await writer.apply(
      keys,
      first,
      RealtimeStateWriter.prepare([arriving(0, now - 5), arriving(1, now)], first, now),
      1n,
    );
    expect(await newest()).toBe(now);
    // An older arrival applied later (another partition's backlog) leaves it alone.
    const second = await writer.begin(keys, 2n, 2n);
    await writer.apply(keys, second, RealtimeStateWriter.prepare([arriving(2, now - 60_000)], second, now), 2n);
    expect(await newest()).toBe(now);
  });
});
