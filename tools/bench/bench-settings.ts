import {
  ANALYTICS_CHANGES_CHANNEL,
  ANALYTICS_SETTINGS_COLLECTION,
  analyticsSettingsId,
  type AnalyticsSettingsDocument,
} from '@tally/analytics-store';
import type { MongoConfig, RedisConfig } from '@tally/config';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';

/** What the worker bench declares for the tenant that counts dimensions: a property with some 200 values and a measure. */
export const BENCH_DIMENSIONS = { dimensions: ['properties.sku'], measures: ['properties.price'] } as const;

/**
 * Makes a bench tenant count the standard dimensions and `BENCH_DIMENSIONS` (`on`), or
 * nothing besides names (`off`), for every event whatever its arrival: a settings version
 * of its own, counted since the epoch. The admin API starts a change a minute ahead, which
 * would leave part of a backlog on each side; the bench wants one side only.
 */
export async function countDimensionsForBench(
  mongo: MongoConfig,
  redis: RedisConfig,
  tenantId: TenantId,
  on: boolean,
): Promise<void> {
  const mongoClient = createMongoClient(mongo, 'tally-bench');
  const redisClient = createRedisClient(redis, 'tally-bench');
  try {
    // eslint-disable-next-line no-restricted-syntax -- a bench tool writes one tenant's record, named by its _id
    const settings = mongoClient
      .db(mongo.database)
      .collection<AnalyticsSettingsDocument>(ANALYTICS_SETTINGS_COLLECTION);
    const [newest] = await settings.find({ tenantId }).sort({ version: -1 }).limit(1).toArray();
    const version = (newest?.version ?? 0) + 1;
    const epoch = new Date(0);
    const declared = (fields: readonly string[]) => (on ? fields.map((field) => ({ field, countedSince: epoch })) : []);
    await settings.insertOne({
      _id: analyticsSettingsId(tenantId, version),
      tenantId,
      version,
      standard: on ? { countedSince: epoch } : { countedSince: epoch, countedUntil: epoch },
      dimensions: declared(BENCH_DIMENSIONS.dimensions),
      measures: declared(BENCH_DIMENSIONS.measures),
      updatedAt: new Date(),
    });
    await redisClient.publish(ANALYTICS_CHANGES_CHANNEL, tenantId);
  } finally {
    await Promise.all([mongoClient.close(), redisClient.quit().catch(() => redisClient.disconnect())]);
  }
}
