import type Redis from 'ioredis';
import type { MongoClient } from 'mongodb';
import type { PinoLogger } from 'nestjs-pino';
import {
  DIRTY_TENANTS_SET,
  MAX_NAMES_PER_ROLLUP,
  OTHER_EVENT_NAME,
  RAW_EVENTS_COLLECTION,
  REALTIME_TTL_SECONDS,
  freshCountersField,
  realtimeKeys,
  rollupKeys,
  type StoredRawEvent,
} from '@tally/analytics-store';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { newTenantId, type TenantId } from '@tally/tenant-scope';
import { testEnvironment } from '@tally/testing';
import { RollupStore } from '../rollups/rollup.store';
import { closedDirtyMinutes } from './aggregation-job.service';
import { RawMinuteReader } from './raw-minute.reader';
import { RollupBuilder } from './rollup.builder';

const quietLogger = { setContext: () => undefined, warn: () => undefined } as unknown as PinoLogger;

/**
 * The rollup rules against real Redis and the real MongoDB-wire store, with the Redis
 * state written the way processor-worker writes it.
 */
describe('RollupBuilder', () => {
  const env = testEnvironment();
  let redis: Redis;
  let mongo: MongoClient;
  let store: RollupStore;
  let builder: RollupBuilder;

  beforeAll(() => {
    redis = createRedisClient(env.redis, 'tally-test');
    mongo = createMongoClient(env.mongo, 'tally-test');
    const db = mongo.db(env.mongo.database);
    store = new RollupStore(db, quietLogger);
    builder = new RollupBuilder(redis, store, new RawMinuteReader(db));
  });

  afterAll(async () => {
    await Promise.all([redis.quit(), mongo.close()]);
  });

  // Minute 10 of the hour before last: closed, and `minute + 1` in the same hour and day whenever the
  // test runs (`now - 90 min` made it hh:59 one run in sixty, putting minute + 1 in the next hour).
  const minute = (Math.floor(Date.now() / 3_600_000) - 2) * 60 + 10;
  const hour = Math.floor(minute / 60);

  /** What the worker's apply script does for `n` events of `name` in `minute`. */
  async function workerWrites(tenant: TenantId, name: string, n: number, at = minute): Promise<void> {
    const counts = realtimeKeys.counts(tenant, at);
    if (!(await redis.exists(counts))) await redis.hset(rollupKeys.dirtyMinutes(tenant), freshCountersField(at), '1');
    await redis.hincrby(counts, name, n);
    await redis.hincrby(rollupKeys.dirtyMinutes(tenant), String(at), 1);
    await redis.sadd(DIRTY_TENANTS_SET, tenant);
    await redis.pfadd(realtimeKeys.uniques(tenant, 'minute', at), `u:${name}`);
  }

  async function rollAll(tenant: TenantId): Promise<void> {
    const dirty = closedDirtyMinutes(await redis.hgetall(rollupKeys.dirtyMinutes(tenant)), minute + 60);
    await builder.roll(tenant, dirty, Date.now());
    await builder.clear(tenant, dirty);
  }

  async function totals(tenant: TenantId): Promise<{ minute?: number; hour?: number; day?: number }> {
    const found = await store.counts(tenant, {
      minute: [[minute, minute]],
      hour: [[hour, hour]],
      day: [[Math.floor(hour / 24), Math.floor(hour / 24)]],
    });
    return {
      minute: found.minute.get(minute)?.total,
      hour: found.hour.get(hour)?.total,
      day: found.day.get(Math.floor(hour / 24))?.total,
    };
  }

  it('rolls a minute up into exact minute, hour and day rollups, and marks it clean', async () => {
    const tenant = newTenantId();
    await workerWrites(tenant, 'Signed Up', 3);
    await workerWrites(tenant, 'Order Completed', 2, minute + 1);
    await rollAll(tenant);
    expect(await totals(tenant)).toEqual({ minute: 3, hour: 5, day: 5 });
    expect(await redis.hlen(rollupKeys.dirtyMinutes(tenant))).toBe(0);
    expect(await redis.sismember(DIRTY_TENANTS_SET, tenant)).toBe(0);
    const sketches = await store.sketchesIn(tenant, { minute: [[minute, minute]] });
    expect(sketches.minute.get(minute)?.hll).toBeDefined();
  });

  it('keeps a minute dirty when it changed while being rolled up', async () => {
    const tenant = newTenantId();
    await workerWrites(tenant, 'Signed Up', 1);
    const dirty = closedDirtyMinutes(await redis.hgetall(rollupKeys.dirtyMinutes(tenant)), minute + 60);
    await builder.roll(tenant, dirty, Date.now());
    await workerWrites(tenant, 'Signed Up', 1); // arrives during the run
    expect(await builder.clear(tenant, dirty)).toBe(1);
    await rollAll(tenant);
    expect(await totals(tenant)).toMatchObject({ minute: 2 });
  });

  it('adds the rollup back once into counters re-created after they expired, even if rolled twice', async () => {
    const tenant = newTenantId();
    await workerWrites(tenant, 'Signed Up', 4);
    await rollAll(tenant);
    await redis.del(realtimeKeys.counts(tenant, minute)); // the counters expire
    await workerWrites(tenant, 'Signed Up', 1); // a late event re-creates them
    const dirty = closedDirtyMinutes(await redis.hgetall(rollupKeys.dirtyMinutes(tenant)), minute + 60);
    expect(dirty[0]?.fresh).toBe(true);
    await builder.roll(tenant, dirty, Date.now());
    await builder.roll(tenant, dirty, Date.now()); // a run that died before clearing, redone
    await builder.clear(tenant, dirty);
    expect(await totals(tenant)).toEqual({ minute: 5, hour: 5, day: 5 });
    expect(await redis.hget(realtimeKeys.counts(tenant, minute), 'Signed Up')).toBe('5');
  });

  it('cuts rolled-up Redis state to ten minutes, and a late write after it expired still counts whole', async () => {
    const tenant = newTenantId();
    const hourly = realtimeKeys.uniques(tenant, 'hour', hour);
    await workerWrites(tenant, 'Signed Up', 3);
    await redis.pfadd(realtimeKeys.uniques(tenant, 'minute', minute, 'Signed Up'), 'u:early');
    await redis.pfadd(hourly, 'u:early');
    const dirty = closedDirtyMinutes(await redis.hgetall(rollupKeys.dirtyMinutes(tenant)), minute + 60);
    const rolled = await builder.roll(tenant, dirty, Date.now());
    await builder.clear(tenant, dirty);
    await builder.expireRolledUp(tenant, rolled.rolledUpKeys);
    const keys = [
      realtimeKeys.counts(tenant, minute),
      realtimeKeys.uniques(tenant, 'minute', minute),
      realtimeKeys.uniques(tenant, 'minute', minute, 'Signed Up'),
      hourly, // the hour has ended
    ];
    const ttls = await Promise.all(keys.map((key) => redis.ttl(key)));
    expect(ttls.filter((ttl) => ttl <= 0 || ttl > REALTIME_TTL_SECONDS.afterRollup)).toEqual([]);

    await redis.del(...keys); // they expire; then a late event comes
    await workerWrites(tenant, 'Signed Up', 1);
    await redis.pfadd(hourly, 'u:late');
    await rollAll(tenant);
    expect(await totals(tenant)).toEqual({ minute: 4, hour: 4, day: 4 });
    // The re-created key got the rollup's users back: queries read a live key rather than the rollup.
    expect(await redis.pfcount(hourly)).toBe(2);
  });

  it('keeps at most the bounded number of names per rollup, the rest in (other), totals exact', async () => {
    const tenant = newTenantId();
    // Two more names than a rollup keeps in this minute, and a name of the next minute the hour must fold too.
    const names = Array.from({ length: MAX_NAMES_PER_ROLLUP + 1 }, (_, i) => `name ${String(i).padStart(4, '0')}`);
    await workerWrites(tenant, 'most counted', 5);
    await redis.hset(realtimeKeys.counts(tenant, minute), Object.fromEntries(names.map((n) => [n, '1'])));
    await workerWrites(tenant, 'next minute only', 2, minute + 1);
    await rollAll(tenant);

    const found = await store.counts(tenant, { minute: [[minute, minute]], hour: [[hour, hour]] });
    const [inMinute, inHour] = [found.minute.get(minute), found.hour.get(hour)];
    expect(inMinute?.names).toHaveLength(MAX_NAMES_PER_ROLLUP);
    expect(inMinute?.names.find((n) => n.name === 'most counted')?.count).toBe(5);
    // 1,002 names of one count or more: 'most counted' and 998 others kept, 3 folded.
    expect(inMinute?.names.find((n) => n.name === OTHER_EVENT_NAME)?.count).toBe(3);
    expect(inMinute?.total).toBe(5 + names.length);
    expect(inHour?.names).toHaveLength(MAX_NAMES_PER_ROLLUP);
    expect(inHour?.total).toBe(5 + names.length + 2);
    expect(inHour?.names.reduce((sum, n) => sum + n.count, 0)).toBe(inHour?.total);
    const sketches = await store.sketchesIn(tenant, { minute: [[minute, minute]] });
    expect(sketches.minute.get(minute)?.nameHll.length).toBeLessThanOrEqual(MAX_NAMES_PER_ROLLUP);
  });

  it('recounts a minute from the raw events when its counters are gone', async () => {
    const tenant = newTenantId();
    // Version-1 documents (no `props`): a recount reads what every version holds.
    const events = mongo.db(env.mongo.database).collection<StoredRawEvent>(RAW_EVENTS_COLLECTION);
    await events.insertMany(
      [1, 2, 3].map((i) => ({
        _id: `${tenant}:m${i}`,
        tenantId: tenant,
        name: 'Imported',
        userKey: `u:${i}`,
        timestamp: new Date(minute * 60_000),
        minute,
        receivedAt: new Date(),
        src: `t/0/${i}`,
        payload: '{}',
      })),
    );
    await redis.hset(rollupKeys.dirtyMinutes(tenant), String(minute), '1');
    await rollAll(tenant);
    expect(await totals(tenant)).toEqual({ minute: 3, hour: 3, day: 3 });
    expect(await redis.pfcount(realtimeKeys.uniques(tenant, 'minute', minute))).toBe(3);
  });
});
