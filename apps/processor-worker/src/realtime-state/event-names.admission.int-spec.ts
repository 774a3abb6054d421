import type Redis from 'ioredis';
import { realtimeKeys } from '@tally/analytics-store';
import { createRedisClient } from '@tally/redis';
import { newTenantId } from '@tally/tenant-scope';
import { testEnvironment } from '@tally/testing';
import { EventNamesAdmission } from './event-names.admission';

describe('EventNamesAdmission (real Redis)', () => {
  const env = testEnvironment();
  let redis: Redis;

  beforeAll(() => {
    redis = createRedisClient(env.redis, 'tally-test');
  });

  afterAll(async () => {
    await redis.quit();
  });

  it("admits a tenant's names up to its bound, for good, without touching another tenant's", async () => {
    const hostile = newTenantId();
    const other = newTenantId();
    const admission = new EventNamesAdmission(redis);
    const ask = (tenantId: typeof hostile, names: string[]) =>
      admission.admit(
        names.map((name) => ({ tenantId, name })),
        3,
      );
    expect(await ask(hostile, ['a', 'b', 'a', 'c', 'd', '$page'])).toEqual([true, true, true, true, false, true]);
    // The answer for a name never changes: a redelivery is counted under the same name.
    expect(await ask(hostile, ['d', 'e', 'b'])).toEqual([false, false, true]);
    // A second replica (no memory of its own) answers the same.
    expect(await new EventNamesAdmission(redis).admit([{ tenantId: hostile, name: 'd' }], 3)).toEqual([false]);
    expect(await ask(other, ['d', 'e', 'f'])).toEqual([true, true, true]);
    expect(await redis.scard(realtimeKeys.eventNames(hostile))).toBe(3);
    await redis.del(realtimeKeys.eventNames(hostile), realtimeKeys.eventNames(other));
  });
});
