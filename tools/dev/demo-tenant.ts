import type { MongoConfig, RedisConfig } from '@tally/config';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { TenantAdminService, TenantStore } from '@tally/tenancy';

export const DEMO_TENANT_NAME = 'demo';

export interface DemoKeys {
  readonly tenantId: string;
  readonly writeKey: string;
  readonly readKey: string;
}

/**
 * A named tenant for a tool (`npm start`'s demo tenant, the bench's own), with keys
 * to use now. Keys are shown once and stored only as
 * hashes, so a tenant of that name left by an earlier run gets fresh keys (the old ones stop
 * working) instead of a second demo tenant.
 */
export async function provideTenant(name: string, mongo: MongoConfig, redis: RedisConfig): Promise<DemoKeys> {
  const mongoClient = createMongoClient(mongo, 'tally-start');
  const redisClient = createRedisClient(redis, 'tally-start');
  try {
    const admin = new TenantAdminService(new TenantStore(mongoClient.db(mongo.database)), redisClient);
    const existing = (await admin.list()).find((t) => t.name === name && t.status === 'active');
    if (!existing) return await admin.create(name);
    const write = await admin.rotateKey(existing.tenantId, 'write');
    const read = await admin.rotateKey(existing.tenantId, 'read');
    return { tenantId: existing.tenantId, writeKey: write.key, readKey: read.key };
  } finally {
    await Promise.all([mongoClient.close(), redisClient.quit().catch(() => redisClient.disconnect())]);
  }
}
