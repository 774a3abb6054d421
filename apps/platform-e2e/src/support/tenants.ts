import type { QuotaSettings } from '@tally/config';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { TenantAdminService, TenantStore, type CreatedTenant } from '@tally/tenancy';
import { uniqueName, type TestEnvironment } from '@tally/testing';

/** A fresh tenant in the real stores, as the admin API would create it. */
export async function provisionTenant(
  env: TestEnvironment,
  quotas: Partial<QuotaSettings> = {},
): Promise<CreatedTenant> {
  const mongo = createMongoClient(env.mongo, 'tally-e2e');
  const redis = createRedisClient(env.redis, 'tally-e2e');
  try {
    return await new TenantAdminService(new TenantStore(mongo.db(env.mongo.database)), redis).create(
      uniqueName('e2e'),
      quotas,
    );
  } finally {
    await Promise.all([mongo.close(), redis.quit()]);
  }
}
