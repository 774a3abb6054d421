import type Redis from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import type { TenancyConfig } from '@tally/config';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { eventually, testEnvironment, uniqueName } from '@tally/testing';
import { TenantAdminService } from './admin/tenant-admin.service';
import { TenantDirectory } from './directory/tenant-directory';
import { API_KEYS_COLLECTION, TENANTS_COLLECTION } from './directory/tenant-records';
import { TenantStore } from './directory/tenant-store';
import { RateLimiter, rateLimitHeaders } from './quotas/rate-limiter';

const config = (cacheTtlMs: number): TenancyConfig => ({
  adminToken: undefined,
  defaultQuotas: { ingestEventsPerSecond: 1000, ingestBurst: 5000, queriesPerMinute: 600 },
  cacheTtlMs,
});

describe('tenancy on the real stores', () => {
  const env = testEnvironment();
  let mongo: MongoClient;
  let db: Db;
  let redis: Redis;
  let store: TenantStore;
  let admin: TenantAdminService;
  const replicas: TenantDirectory[] = [];

  /** A directory as another replica would have it: its own Redis subscription and cache. */
  const replica = async (cacheTtlMs: number): Promise<TenantDirectory> => {
    const directory = new TenantDirectory(store, config(cacheTtlMs));
    await directory.listenForChanges(redis);
    replicas.push(directory);
    return directory;
  };

  beforeAll(async () => {
    mongo = createMongoClient(env.mongo, 'tally-tests');
    db = mongo.db(uniqueName('tenancy'));
    redis = createRedisClient(env.redis, 'tally-tests');
    store = new TenantStore(db);
    await store.ensureIndexes();
    admin = new TenantAdminService(store, redis);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await db?.dropDatabase();
    await mongo?.close();
    await redis?.quit();
  });

  it('resolves each key to its own tenant and scope, and unknown keys to nothing', async () => {
    const a = await admin.create('Acme');
    const b = await admin.create('Globex', { queriesPerMinute: 5 });
    const directory = await replica(5_000);

    expect(await directory.resolve(a.writeKey)).toMatchObject({ tenantId: a.tenantId, scope: 'write', name: 'Acme' });
    expect(await directory.resolve(a.readKey)).toMatchObject({ tenantId: a.tenantId, scope: 'read' });
    expect(await directory.resolve(b.readKey)).toMatchObject({
      tenantId: b.tenantId,
      quotas: { queriesPerMinute: 5, ingestEventsPerSecond: 1000 },
    });
    expect(await directory.resolve(`${a.writeKey}x`)).toBeNull();
    expect(a.writeKey).not.toBe(a.readKey);
    expect(a.writeKey).toMatch(/^tly_w_[A-Za-z0-9_-]{43}$/);
  });

  it('stores no key in plain text', async () => {
    const created = await admin.create('Initech');
    const dump = JSON.stringify([
      await db.collection(TENANTS_COLLECTION).find({}).toArray(),
      await db.collection(API_KEYS_COLLECTION).find({}).toArray(),
    ]);
    expect(dump).toContain(created.tenantId);
    expect(dump).not.toContain(created.writeKey);
    expect(dump).not.toContain(created.readKey);
    // Not even the secret part without its prefix.
    expect(dump).not.toContain(created.writeKey.slice(6));
  });

  it('refuses a rotated key on another replica within 5 s, although its cache would keep it a minute', async () => {
    const tenant = await admin.create('Umbrella');
    const other = await replica(60_000);
    expect(await other.resolve(tenant.writeKey)).not.toBeNull();

    const started = Date.now();
    const { key: newKey } = await admin.rotateKey(tenant.tenantId, 'write');
    await eventually(async () => expect(await other.resolve(tenant.writeKey)).toBeNull(), 5_000, 50);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await other.resolve(newKey)).toMatchObject({ tenantId: tenant.tenantId, scope: 'write' });
    // The read key was not rotated.
    expect(await other.resolve(tenant.readKey)).not.toBeNull();
  });

  it('refuses every key of a disabled tenant on another replica within 5 s', async () => {
    const tenant = await admin.create('Hooli');
    const other = await replica(60_000);
    expect(await other.resolve(tenant.readKey)).not.toBeNull();
    await admin.disable(tenant.tenantId);
    await eventually(
      async () => {
        expect(await other.resolve(tenant.readKey)).toBeNull();
        expect(await other.resolve(tenant.writeKey)).toBeNull();
      },
      5_000,
      50,
    );
  });

  it('limits a tenant with a token bucket shared by all replicas, and admits it again after refill', async () => {
    const tenant = await admin.create('Burst Co');
    const limiterA = new RateLimiter(redis);
    const redisB = createRedisClient(env.redis, 'tally-tests-b');
    const limiterB = new RateLimiter(redisB);
    const limit = { ratePerSecond: 10, capacity: 5 };

    const decisions = [];
    for (let i = 0; i < 6; i++)
      decisions.push(await (i % 2 ? limiterA : limiterB).take(tenant.tenantId, 'ingest', limit));
    expect(decisions.slice(0, 5).every((d) => d.allowed)).toBe(true);
    const refused = decisions[5];
    expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
    expect(refused && rateLimitHeaders(refused)).toEqual({
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1',
      'Retry-After': '1',
    });
    // Another tenant's bucket is untouched.
    const other = await admin.create('Quiet Co');
    expect((await limiterA.take(other.tenantId, 'ingest', limit)).allowed).toBe(true);

    await eventually(
      async () => expect((await limiterA.take(tenant.tenantId, 'ingest', limit)).allowed).toBe(true),
      3_000,
      100,
    );
    await redisB.quit();
  });

  it('grants concurrent takes in arrival order, as separate calls would, in fewer Redis calls', async () => {
    const tenant = await admin.create('Rush Co');
    const limiter = new RateLimiter(redis);
    const calls = jest.spyOn(redis as unknown as { tallyTokenBucket: () => unknown }, 'tallyTokenBucket');
    try {
      // A refill of 1 token a minute: the bucket holds its 20 for the whole test.
      const limit = { ratePerSecond: 1 / 60, capacity: 20 };
      const costs = Array.from({ length: 30 }, (_, i) => (i === 3 ? 5 : 1));
      const decisions = await Promise.all(costs.map((cost) => limiter.take(tenant.tenantId, 'ingest', limit, cost)));

      // 20 tokens: the first 16 takes (costs 1, 1, 1, 5 and twelve of 1) fit, the rest do not.
      expect(decisions.map((d) => d.allowed)).toEqual(costs.map((_, i) => i < 16));
      expect(decisions.slice(0, 16).map((d) => d.remaining)).toEqual([
        19, 18, 17, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
      ]);
      expect(decisions[16]).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 60 });
      // The first take went alone; the 29 that came while it was in flight went together.
      expect(calls).toHaveBeenCalledTimes(2);
    } finally {
      calls.mockRestore();
    }
  });
});
