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
 * The tenant `npm start` hands to its user. Keys are shown once and stored only as
 * hashes, so a demo tenant left by an earlier run gets fresh keys (the old ones stop
 * working) instead of a second demo tenant.
 */
export async function provideDemoTenant(mongo: MongoConfig, redis: RedisConfig): Promise<DemoKeys> {
  const mongoClient = createMongoClient(mongo, 'tally-start');
  const redisClient = createRedisClient(redis, 'tally-start');
  try {
    const admin = new TenantAdminService(new TenantStore(mongoClient.db(mongo.database)), redisClient);
    const existing = (await admin.list()).find((t) => t.name === DEMO_TENANT_NAME && t.status === 'active');
    if (!existing) return await admin.create(DEMO_TENANT_NAME);
    const write = await admin.rotateKey(existing.tenantId, 'write');
    const read = await admin.rotateKey(existing.tenantId, 'read');
    return { tenantId: existing.tenantId, writeKey: write.key, readKey: read.key };
  } finally {
    await Promise.all([mongoClient.close(), redisClient.quit().catch(() => redisClient.disconnect())]);
  }
}
