import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import {
  ROLLUPS_COLLECTION,
  ROLLUPS_INDEXES,
  rollupId,
  type BucketInterval,
  type RollupDocument,
} from '@tally/analytics-store';
import { MONGO_DB } from '@tally/mongo';
import type { TenantId } from '@tally/tenancy';

/** A rollup without its sketches: what count queries need. */
export type RollupCounts = Pick<RollupDocument, '_id' | 'interval' | 'bucket' | 'total' | 'names'>;

/**
 * The `rollups` collection. Every read is by `_id`s built from one tenant id, or
 * filtered on `tenantId`, so no read can reach another tenant's rollups.
 */
@Injectable()
export class RollupStore implements OnModuleInit {
  private readonly rollups: Collection<RollupDocument>;

  constructor(
    @Inject(MONGO_DB) db: Db,
    private readonly logger: PinoLogger,
  ) {
    this.rollups = db.collection<RollupDocument>(ROLLUPS_COLLECTION);
    this.logger.setContext(RollupStore.name);
  }

  async onModuleInit(): Promise<void> {
    // Not fatal: queries and rollups are correct without the index, only slower.
    await this.rollups.createIndexes(ROLLUPS_INDEXES.map((i) => ({ ...i }))).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not create the rollups indexes');
    });
  }

  /** Counts of the given buckets of one tenant (absent buckets had no events). */
  async counts(
    tenantId: TenantId,
    units: readonly { interval: BucketInterval; bucket: number }[],
  ): Promise<Map<string, RollupCounts>> {
    if (units.length === 0) return new Map();
    const ids = units.map((u) => rollupId(tenantId, u.interval, u.bucket));
    const docs = await this.rollups
      .find({ _id: { $in: ids }, tenantId }, { projection: { hll: 0, nameHll: 0, countsExpireAt: 0, updatedAt: 0 } })
      .toArray();
    return new Map(docs.map((d) => [d._id, d as RollupCounts]));
  }

  /** Whole rollups (sketches included) of the given buckets of one tenant, by bucket. */
  async full(
    tenantId: TenantId,
    interval: BucketInterval,
    buckets: readonly number[],
  ): Promise<Map<number, RollupDocument>> {
    if (buckets.length === 0) return new Map();
    const ids = buckets.map((b) => rollupId(tenantId, interval, b));
    const docs = await this.rollups.find({ _id: { $in: ids }, tenantId }).toArray();
    return new Map(docs.map((d) => [d.bucket, d]));
  }

  /** Counts of one tenant's rollups of `interval` whose buckets lie in any of the ranges [start, end). */
  async countsWithin(
    tenantId: TenantId,
    interval: BucketInterval,
    ranges: readonly (readonly [number, number])[],
  ): Promise<RollupCounts[]> {
    if (ranges.length === 0) return [];
    return (await this.rollups
      .find(
        { tenantId, interval, $or: ranges.map(([start, end]) => ({ bucket: { $gte: start, $lt: end } })) },
        { projection: { hll: 0, nameHll: 0, countsExpireAt: 0, updatedAt: 0 } },
      )
      .toArray()) as RollupCounts[];
  }

  /** Replaces rollups whole: writing the same rollup twice leaves one, never a sum. */
  async replace(docs: readonly RollupDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const operations: AnyBulkWriteOperation<RollupDocument>[] = docs.map((doc) => ({
      replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
    }));
    await this.rollups.bulkWrite(operations, { ordered: false });
  }
}
