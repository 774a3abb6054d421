import type { Binary } from 'mongodb';
import type { TenantId } from '@tally/tenant-scope';
import type { BucketInterval } from './time-buckets';

/** MongoDB collection of exact per-tenant rollups: one document per tenant, interval and bucket. */
export const ROLLUPS_COLLECTION = 'rollups';

export interface NameRollup {
  readonly name: string;
  readonly count: number;
}

/** The bucket's HyperLogLog of one name's users (Redis's own encoding). */
export interface NameUniques {
  readonly name: string;
  readonly hll: Binary;
}

/**
 * Counts are exact: a minute's come from the worker's exactly-once counters, an hour's
 * are the sum of its minutes, a day's the sum of its hours.
 */
export interface RollupDocument {
  readonly _id: string;
  readonly tenantId: TenantId;
  readonly interval: BucketInterval;
  readonly bucket: number;
  readonly total: number;
  readonly names: readonly NameRollup[];
  /**
   * Minute rollups only: when the Redis counters this rollup was taken from expire
   * (unless written again). A dirty minute whose rollup says they have expired holds
   * only what arrived since, and is added to the rollup instead of replacing it.
   */
  readonly countsExpireAt?: Date;
  readonly updatedAt: Date;
}

/** MongoDB collection of the rollups' unique-user sketches, same `_id` as the rollup. */
export const ROLLUP_SKETCHES_COLLECTION = 'rollup_sketches';

/**
 * Uniques as HyperLogLogs in Redis's encoding, merged (a union, so merging twice changes
 * nothing) with what Redis holds each time the bucket is rolled up: they outlive the
 * Redis keys' TTLs. Kept apart from the counts because FerretDB reads whole documents
 * on every scan: count queries must not drag kilobytes of sketches along.
 */
export interface RollupSketchDocument {
  readonly _id: string;
  readonly tenantId: TenantId;
  readonly interval: BucketInterval;
  readonly bucket: number;
  /** All the bucket's users. */
  readonly hll?: Binary;
  readonly nameHll: readonly NameUniques[];
}

export const rollupId = (tenantId: TenantId, interval: BucketInterval, bucket: number): string =>
  `${tenantId}|${interval}|${bucket}`;

/** Both collections are read by tenant, interval and bucket ranges. */
export const ROLLUPS_INDEXES = [
  { key: { tenantId: 1, interval: 1, bucket: 1 }, name: 'tenant_interval_bucket' },
] as const;
