import type Redis from 'ioredis';
import { createRedisClient } from '@tally/redis';
import { newTenantId } from '@tally/tenant-scope';
import { testEnvironment } from '@tally/testing';
import { TenantClaims } from '../claims/tenant-claims';
import { LiveStreamRegistry, STREAM_CLAIM_TTL_MS } from './live-stream.registry';

describe('LiveStreamRegistry (real Redis)', () => {
  const env = testEnvironment();
  let redis: Redis;

  beforeAll(() => {
    redis = createRedisClient(env.redis, 'tally-test');
  });

  afterAll(async () => {
    await redis.quit();
  });

  it("bounds a tenant's streams across replicas, and a dead replica's places come back", async () => {
    const tenant = newTenantId();
    const replicaA = new LiveStreamRegistry(new TenantClaims(redis));
    const replicaB = new LiveStreamRegistry(new TenantClaims(redis));
    const now = Date.now();
    const a1 = await replicaA.claim(tenant, 3, now);
    const a2 = await replicaA.claim(tenant, 3, now);
    const b1 = await replicaB.claim(tenant, 3, now);
    expect([a1, a2, b1].every((id) => typeof id === 'string')).toBe(true);
    expect(await replicaB.claim(tenant, 3, now)).toBeUndefined();
    expect(await replicaA.claim(newTenantId(), 3, now)).toBeDefined(); // another tenant is not counted

    await replicaB.release(tenant, b1 as string);
    const b2 = (await replicaB.claim(tenant, 3, now)) as string;
    expect(b2).toBeDefined();

    // Replica A dies: it renews nothing. Replica B renews its stream; A's places lapse.
    await replicaB.renew(tenant, [b2], now + 10_000);
    const later = now + STREAM_CLAIM_TTL_MS + 1;
    expect(await replicaB.claim(tenant, 3, later - 2)).toBeUndefined();
    expect(await replicaB.claim(tenant, 3, later)).toBeDefined();
    expect(await replicaB.claim(tenant, 3, later)).toBeDefined();
    expect(await replicaB.claim(tenant, 3, later)).toBeUndefined(); // b2 and the two new ones
  });
});
