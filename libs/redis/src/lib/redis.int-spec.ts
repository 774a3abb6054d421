import type Redis from 'ioredis';
import { testEnvironment, uniqueName } from '@tally/testing';
import { createRedisClient } from './create-redis-client.util';

describe('Redis (real server)', () => {
  const env = testEnvironment();
  let redis: Redis;

  beforeAll(() => {
    redis = createRedisClient(env.redis, 'tally-tests');
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('round-trips a value, counts atomically and expires keys', async () => {
    const key = uniqueName('smoke');
    await redis.set(key, 'v', 'PX', 60_000);
    expect(await redis.get(key)).toBe('v');

    const counter = `${key}:n`;
    await Promise.all(Array.from({ length: 50 }, () => redis.incr(counter)));
    expect(await redis.get(counter)).toBe('50');

    await redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await redis.get(key)).toBeNull();
    await redis.del(counter);
  });
});
