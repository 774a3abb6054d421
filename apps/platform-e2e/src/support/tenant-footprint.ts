import { BSON } from 'mongodb';
import { RAW_EVENTS_COLLECTION, ROLLUPS_COLLECTION, ROLLUP_SKETCHES_COLLECTION } from '@tally/analytics-store';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { tenantCollection, tenantFilter, tenantKey, type TenantId, type TenantOwned } from '@tally/tenant-scope';
import type { TestEnvironment } from '@tally/testing';

/** What one tenant's real-time state takes in Redis: its keys, and their bytes by `MEMORY USAGE`. */
export interface RedisFootprint {
  readonly keys: number;
  readonly bytes: number;
  /** Of those, the bytes of keys set to live longer than `lastingAfterSeconds`, or for ever. */
  readonly lastingBytes: number;
}

/** Every key of the tenant (all carry its hash tag: `t:{<tenant>}:…`), found by SCAN. */
export async function redisFootprint(
  env: TestEnvironment,
  tenantId: TenantId,
  lastingAfterSeconds = 90_000,
): Promise<RedisFootprint> {
  const redis = createRedisClient(env.redis, 'tally-e2e-footprint');
  try {
    let cursor = '0';
    let keys = 0;
    let bytes = 0;
    let lastingBytes = 0;
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${tenantKey(tenantId)}:*`, 'COUNT', 1_000);
      cursor = next;
      const sizes = await Promise.all(
        found.map(async (key) => ({
          bytes: (await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0,
          ttl: await redis.ttl(key),
        })),
      );
      keys += found.length;
      for (const size of sizes) {
        bytes += size.bytes;
        if (size.ttl === -1 || size.ttl > lastingAfterSeconds) lastingBytes += size.bytes;
      }
    } while (cursor !== '0');
    return { keys, bytes, lastingBytes };
  } finally {
    await redis.quit();
  }
}

/** One collection's documents of the tenant: how many, and the largest, in BSON bytes. */
export interface DocumentSizes {
  readonly documents: number;
  readonly largestBytes: number;
}

/** The tenant's raw events, rollups and rollup sketches in MongoDB. */
export async function mongoDocumentSizes(
  env: TestEnvironment,
  tenantId: TenantId,
): Promise<Record<'rawEvents' | 'rollups' | 'sketches', DocumentSizes> & { readonly mostNamesInARollup: number }> {
  const mongo = createMongoClient(env.mongo, 'tally-e2e-footprint');
  try {
    const db = mongo.db(env.mongo.database);
    const sizes = async (collection: string, onEach: (doc: BSON.Document) => void = () => undefined) => {
      let documents = 0;
      let largestBytes = 0;
      for await (const doc of tenantCollection<TenantOwned>(db, collection).find(tenantFilter(tenantId))) {
        documents++;
        largestBytes = Math.max(largestBytes, BSON.calculateObjectSize(doc));
        onEach(doc);
      }
      return { documents, largestBytes };
    };
    let mostNamesInARollup = 0;
    const [rawEvents, rollups, sketches] = await Promise.all([
      sizes(RAW_EVENTS_COLLECTION),
      sizes(ROLLUPS_COLLECTION, (doc) => {
        mostNamesInARollup = Math.max(mostNamesInARollup, (doc['names'] as unknown[]).length);
      }),
      sizes(ROLLUP_SKETCHES_COLLECTION),
    ]);
    return { rawEvents, rollups, sketches, mostNamesInARollup };
  } finally {
    await mongo.close();
  }
}
