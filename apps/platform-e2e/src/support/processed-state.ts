import type Redis from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import {
  ANALYTICS_SETTINGS_COLLECTION,
  RAW_EVENTS_COLLECTION,
  analyticsSettingsId,
  bucketOf,
  dimensionField,
  dimensionKeys,
  realtimeKeys,
  type AnalyticsSettingsDocument,
  type RawEventDocument,
} from '@tally/analytics-store';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';
import { eventually, sleep, type TestEnvironment } from '@tally/testing';
import { DATASET_DIMENSION, DATASET_MEASURE, type Dataset, type ExpectedTenant } from './event-dataset';

/** `<minute>|<name>` → count, as a plain sorted object: what `toEqual` compares and prints well. */
type CountTable = Record<string, number>;

const tableOf = (counts: ReadonlyMap<string, number>): CountTable =>
  Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));

/** What MongoDB holds for the tenants: raw events per minute and name. */
async function mongoCounts(db: Db, tenants: readonly TenantId[]): Promise<Map<TenantId, CountTable>> {
  // eslint-disable-next-line no-restricted-syntax -- one aggregation over several tenants' events, on purpose
  const rows = await db
    .collection<RawEventDocument>(RAW_EVENTS_COLLECTION)
    .aggregate<{ _id: { t: TenantId; m: number; n: string }; c: number }>([
      { $match: { tenantId: { $in: [...tenants] } } },
      { $group: { _id: { t: '$tenantId', m: '$minute', n: '$name' }, c: { $sum: 1 } } },
    ])
    .toArray();
  const tables = new Map<TenantId, Map<string, number>>(tenants.map((t) => [t, new Map()]));
  for (const { _id, c } of rows) tables.get(_id.t)?.set(`${_id.m}|${_id.n}`, c);
  return new Map([...tables].map(([t, counts]) => [t, tableOf(counts)]));
}

/**
 * What Redis holds for one tenant: every per-minute count hash of the tenant (found by
 * SCAN, so a count in an unexpected minute shows up too).
 */
async function redisCounts(redis: Redis, tenantId: TenantId): Promise<CountTable> {
  const prefix = realtimeKeys.counts(tenantId, 0).replace(/0$/, '');
  const counts = new Map<string, number>();
  for (const key of await keysStartingWith(redis, prefix)) {
    const minute = key.slice(prefix.length);
    for (const [name, value] of Object.entries(await redis.hgetall(key)))
      counts.set(`${minute}|${name}`, Number(value));
  }
  return tableOf(counts);
}

async function keysStartingWith(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/**
 * What the dimension counters hold for one tenant, found by SCAN as `redisCounts`: the
 * dataset's dimension as `<minute>|<name>|<value>|<c, n or s>` → number, and, per
 * `<minute>|<name>`, the events of one standard dimension (`$country`, which the dataset
 * never sets): every counted event is counted once in every dimension.
 */
async function redisDimensionCounts(
  redis: Redis,
  tenantId: TenantId,
): Promise<{ plan: CountTable; country: CountTable }> {
  const prefix = dimensionKeys.minute(tenantId, 0).replace(/0$/, '');
  const plan = new Map<string, number>();
  const country = new Map<string, number>();
  for (const key of await keysStartingWith(redis, prefix)) {
    const minute = key.slice(prefix.length);
    for (const [text, value] of Object.entries(await redis.hgetall(key))) {
      const field = dimensionField.decode(text);
      if (field?.dimension === DATASET_DIMENSION && (field.kind === 'c' || field.measure === DATASET_MEASURE)) {
        if (field.kind === 'c' || field.kind === 'n' || field.kind === 's') {
          plan.set(`${minute}|${field.name}|${field.value}|${field.kind}`, Number(value));
        }
      } else if (field?.dimension === '$country' && field.kind === 'c') {
        const at = `${minute}|${field.name}`;
        country.set(at, (country.get(at) ?? 0) + Number(value));
      }
    }
  }
  return { plan: tableOf(plan), country: tableOf(country) };
}

/** Unique users of the tenant over the days the expected events span, from the day HyperLogLogs. */
async function redisUniqueUsers(redis: Redis, tenantId: TenantId, expected: ExpectedTenant): Promise<number> {
  const days = new Set([...expected.counts.keys()].map((k) => bucketOf(Number(k.split('|')[0]) * 60_000, 'day')));
  return redis.pfcount(...[...days].map((d) => realtimeKeys.uniques(tenantId, 'day', d)));
}

/** The version of the settings record `ProcessedState.declare` writes. */
const DECLARED_VERSION = 1_000_000;

/** The worker's results in the real stores, compared with a dataset's known answers. */
export class ProcessedState {
  private readonly mongo: MongoClient;
  private readonly redis: Redis;

  constructor(private readonly env: TestEnvironment) {
    this.mongo = createMongoClient(env.mongo, 'tally-e2e');
    this.redis = createRedisClient(env.redis, 'tally-e2e');
  }

  /**
   * Waits until Redis holds exactly the dataset's counts for every tenant, checks
   * MongoDB, then looks again a little later: a late double count shows up as a change.
   */
  async expectExactCounts(dataset: Dataset, timeoutMs = 120_000): Promise<void> {
    const tenants = [...dataset.expected.keys()];
    const want = new Map([...dataset.expected].map(([t, e]) => [t, tableOf(e.counts)]));
    const declared = await this.declaredTenants(tenants);
    const checkRedis = async () => {
      for (const tenant of tenants) {
        expect({ tenant, redis: await redisCounts(this.redis, tenant) }).toEqual({ tenant, redis: want.get(tenant) });
        if (!declared.has(tenant)) continue;
        const expected = dataset.expected.get(tenant) as ExpectedTenant;
        const dimensions = await redisDimensionCounts(this.redis, tenant);
        expect({ tenant, dimensions }).toEqual({
          tenant,
          dimensions: { plan: tableOf(expected.planCounts), country: want.get(tenant) },
        });
      }
    };
    await eventually(checkRedis, timeoutMs, 1_000);
    const stored = await mongoCounts(this.mongo.db(this.env.mongo.database), tenants);
    for (const tenant of tenants) {
      expect({ tenant, mongo: stored.get(tenant) }).toEqual({ tenant, mongo: want.get(tenant) });
    }
    await sleep(3_000);
    await checkRedis();
  }

  /**
   * Makes the dataset's tenants count their standard dimensions, `properties.plan` and the
   * measure `properties.revenue` from the epoch on, as if declared long ago (the admin API
   * starts a declaration a minute after it is made): `expectExactCounts` then checks the
   * dimension counters too. A settings record of the test's own, newer than any a worker writes.
   */
  async declare(dataset: Dataset): Promise<void> {
    const since = new Date(0);
    const settings: AnalyticsSettingsDocument[] = [...dataset.expected.keys()].map((tenantId) => ({
      _id: analyticsSettingsId(tenantId, DECLARED_VERSION),
      tenantId,
      version: DECLARED_VERSION,
      standard: { countedSince: since },
      dimensions: [{ field: DATASET_DIMENSION, countedSince: since }],
      measures: [{ field: DATASET_MEASURE, countedSince: since }],
      updatedAt: new Date(),
    }));
    await this.settings().insertMany(settings);
  }

  private async declaredTenants(tenants: readonly TenantId[]): Promise<Set<TenantId>> {
    const found = await this.settings()
      .find({ tenantId: { $in: [...tenants] }, version: DECLARED_VERSION }, { projection: { tenantId: 1 } })
      .toArray();
    return new Set(found.map((d) => d.tenantId));
  }

  private settings() {
    // eslint-disable-next-line no-restricted-syntax -- test setup and checks over several tenants' settings
    return this.mongo.db(this.env.mongo.database).collection<AnalyticsSettingsDocument>(ANALYTICS_SETTINGS_COLLECTION);
  }

  uniqueUsers(tenantId: TenantId, expected: ExpectedTenant): Promise<number> {
    return redisUniqueUsers(this.redis, tenantId, expected);
  }

  async close(): Promise<void> {
    await Promise.all([this.mongo.close(), this.redis.quit()]);
  }
}
