import type Redis from 'ioredis';
import {
  NONE_VALUE,
  OVERFLOW_FIELD_PREFIX,
  dimensionField,
  dimensionKeys,
  freshDimensionsField,
  rollupKeys,
  type EventDimensions,
} from '@tally/analytics-store';
import { createRedisClient } from '@tally/redis';
import { newTenantId, type TenantId } from '@tally/tenant-scope';
import { testEnvironment, uniqueName } from '@tally/testing';
import { DimensionValuesAdmission } from './dimension-values.admission';
import { EventNamesAdmission } from './event-names.admission';
import { RealtimeStateWriter, type OffsetEvent } from './realtime-state.writer';

/** The dimension counters against real Redis: written once by the apply script, and bounded by admission. */
describe('dimension counters (real Redis)', () => {
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
  const hour = Math.floor(now / 3_600_000);
  const μ = 'properties.revenue';
  const planOf = (value: string, n: number): EventDimensions => ({
    name: 'Purchase',
    values: [['properties.plan', value]],
    measures: [{ measure: μ, n, micros: Math.round(n * 1e6) }],
  });
  const events = (tenantId: TenantId, from: number, to: number, n = 2.5): OffsetEvent[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      tenantId,
      name: 'Purchase',
      userKey: `u:${(from + i) % 7}`,
      timestampMs: now,
      receivedAtMs: now,
      offset: BigInt(from + i),
      dimensions: planOf((from + i) % 2 === 0 ? 'pro' : 'free', n + i),
    }));
  const field = (kind: 'c' | 'n' | 's' | 'lo' | 'hi', value: string, measure?: string) =>
    dimensionField.encode({
      dimension: 'properties.plan',
      kind,
      name: 'Purchase',
      value,
      ...(measure === undefined ? {} : { measure }),
    });
  const applyOnce = async (keys: ReturnType<typeof RealtimeStateWriter.partitionKeys>, chunk: OffsetEvent[]) => {
    const first = chunk[0] as OffsetEvent;
    const last = chunk[chunk.length - 1] as OffsetEvent;
    const start = await writer.begin(keys, first.offset, last.offset);
    return writer.apply(keys, start, RealtimeStateWriter.prepare(chunk, start, now), last.offset);
  };

  it('writes counts, micro-unit sums, extremes and per-value users once, whatever is redelivered', async () => {
    const tenant = newTenantId();
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 0);
    await applyOnce(keys, events(tenant, 0, 9));
    await applyOnce(keys, events(tenant, 0, 9)); // a redelivery: the mark covers it
    await applyOnce(keys, events(tenant, 5, 14)); // cut differently: only 10..14 count
    const hash = await redis.hgetall(dimensionKeys.minute(tenant, minute));
    // 15 events, even offsets pro (8), odd free (7); event i carries 2.5 + (i - from) of its chunk.
    const values = [...events(tenant, 0, 9), ...events(tenant, 5, 14).slice(5)];
    const pro = values.filter((e) => e.dimensions?.values[0]?.[1] === 'pro');
    const proSum = pro.reduce((s, e) => s + (e.dimensions?.measures[0]?.micros ?? 0), 0);
    expect(hash[field('c', 'pro')]).toBe('8');
    expect(hash[field('c', 'free')]).toBe('7');
    expect(hash[field('n', 'pro', μ)]).toBe('8');
    expect(hash[field('s', 'pro', μ)]).toBe(String(proSum));
    expect(Number(hash[field('lo', 'pro', μ)])).toBe(Math.min(...pro.map((e) => e.dimensions?.measures[0]?.n ?? 0)));
    expect(Number(hash[field('hi', 'pro', μ)])).toBe(Math.max(...pro.map((e) => e.dimensions?.measures[0]?.n ?? 0)));
    const byName = dimensionField.encode({
      dimension: 'event',
      kind: 'n',
      name: 'Purchase',
      value: NONE_VALUE,
      measure: μ,
    });
    expect(hash[byName]).toBe('15');
    expect(await redis.pfcount(dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'pro'))).toBe(7);
    expect(await redis.pfcount(dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'free', 'Purchase'))).toBe(7);
    // The first write of the minute flagged it for the aggregation job: its hash was created anew.
    expect(await redis.hget(rollupKeys.dirtyMinutes(tenant), freshDimensionsField(minute))).toBe('1');
    expect(await redis.ttl(dimensionKeys.minute(tenant, minute))).toBeGreaterThan(3_600);
  });

  it('flags a sum that would overflow instead of failing the script half-way', async () => {
    const tenant = newTenantId();
    const keys = RealtimeStateWriter.partitionKeys(uniqueName('group'), 'topic', 1);
    const sum = field('s', 'pro', μ);
    await redis.hset(dimensionKeys.minute(tenant, minute), sum, '9223372036854775000');
    const huge = events(tenant, 0, 0, 999_999_999);
    expect(await applyOnce(keys, huge)).toEqual({ applied: 1, alreadyApplied: 0 });
    const hash = await redis.hgetall(dimensionKeys.minute(tenant, minute));
    expect(hash[sum]).toBe('9223372036854775000');
    expect(hash[OVERFLOW_FIELD_PREFIX + sum]).toBe('1');
    // Everything after the overflowing field was still written, and the mark moved.
    expect(hash[field('hi', 'pro', μ)]).toBe('999999999');
    expect(await redis.get(keys.mark)).toBe('0');
  });

  it('bounds a hostile tenant to K values per dimension-hour, P per hour and its dimension names, and no other tenant', async () => {
    const hostile = newTenantId();
    const other = newTenantId();
    const values = new DimensionValuesAdmission(redis);
    const bounds = { valuesPerHour: 3, pairsPerHour: 5 };
    const ask = (tenantId: TenantId, dimension: string, wanted: string[], admission = values) =>
      admission
        .admit(
          wanted.map((v) => ({
            tenantId,
            timestampMs: now,
            dimensions: { name: 'E', values: [[dimension, v]], measures: [] },
          })),
          bounds,
        )
        .then((admitted) => admitted.map((ok, i) => ok(dimension, 'E', wanted[i] as string)));
    expect(await ask(hostile, 'd1', ['a', 'b', 'a', 'c', 'd'])).toEqual([true, true, true, true, false]);
    // P: two more pairs fit the hour over all dimensions, then none.
    expect(await ask(hostile, 'd2', ['x', 'y', 'z'])).toEqual([true, true, false]);
    // The answer for a pair does not change, and a second replica (no memory of its own) gives the same.
    const replica = new DimensionValuesAdmission(redis);
    expect(await ask(hostile, 'd1', ['d', 'b'], replica)).toEqual([false, true]);
    expect(await ask(other, 'd1', ['d', 'e', 'f'])).toEqual([true, true, true]);
    expect(await redis.scard(dimensionKeys.admitted(hostile, 'd1', hour))).toBe(3);
    expect(Number(await redis.get(dimensionKeys.admittedAll(hostile, hour)))).toBe(5);

    const names = new EventNamesAdmission(redis);
    const admittedNames = await names.admit(
      ['n1', 'n2', 'n3', 'n1'].map((name) => ({ tenantId: hostile, name })),
      2,
      dimensionKeys.names,
    );
    expect(admittedNames).toEqual([true, true, false, true]);
  });
});
