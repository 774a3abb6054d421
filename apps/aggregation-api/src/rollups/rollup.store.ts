import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Db, Filter } from 'mongodb';
import {
  ROLLUPS_COLLECTION,
  ROLLUPS_INDEXES,
  ROLLUP_SKETCHES_COLLECTION,
  idsByTenant,
  type BucketInterval,
  type RollupDocument,
  type RollupSketchDocument,
} from '@tally/analytics-store';
import { MONGO_DB, createIndexesOneByOne } from '@tally/mongo';
import { tenantCollection, tenantFilter, type TenantCollection, type TenantId } from '@tally/tenant-scope';

/** Buckets of one interval, as sorted runs of consecutive buckets [first, last]. */
export type BucketRuns = Partial<Record<BucketInterval, readonly (readonly [number, number])[]>>;

export type ByBucket<T> = Record<BucketInterval, Map<number, T>>;

/**
 * The `rollups` and `rollup_sketches` collections. Every read is filtered on one
 * tenant id, so no read can reach another tenant's rollups. Reads select bucket
 * ranges (a few `$or` branches), not long `$in` lists: FerretDB evaluates those in Go,
 * against every document its storage returns; only the tenant id's equality is handed to
 * the storage (PostgreSQL), which then returns one tenant's documents.
 */
@Injectable()
export class RollupStore implements OnModuleInit {
  private readonly rollups: TenantCollection<RollupDocument>;
  private readonly sketches: TenantCollection<RollupSketchDocument>;

  constructor(
    @Inject(MONGO_DB) db: Db,
    private readonly logger: PinoLogger,
  ) {
    this.rollups = tenantCollection<RollupDocument>(db, ROLLUPS_COLLECTION);
    this.sketches = tenantCollection<RollupSketchDocument>(db, ROLLUP_SKETCHES_COLLECTION);
    this.logger.setContext(RollupStore.name);
  }

  async onModuleInit(): Promise<void> {
    // Not fatal: queries and rollups are correct without the indexes, only slower.
    await Promise.all([
      createIndexesOneByOne(this.rollups, ROLLUPS_INDEXES),
      createIndexesOneByOne(this.sketches, ROLLUPS_INDEXES),
    ]).catch((error: unknown) => this.logger.warn({ err: error }, 'could not create the rollups indexes'));
  }

  /** One tenant's rollups (counts) in the given bucket runs; absent buckets had no events. */
  async counts(tenantId: TenantId, runs: BucketRuns): Promise<ByBucket<RollupDocument>> {
    return byBucket(await this.find(this.rollups, tenantId, runs));
  }

  /** One tenant's sketches in the given bucket runs. */
  async sketchesIn(tenantId: TenantId, runs: BucketRuns): Promise<ByBucket<RollupSketchDocument>> {
    return byBucket(await this.find(this.sketches, tenantId, runs));
  }

  /**
   * Replaces rollups and their sketches whole: writing the same rollup twice leaves one,
   * never a sum.
   *
   * Delete, then insert — not upserts: FerretDB 1.24 hangs on a bulk of replace-upserts
   * (measured here: a 200-upsert bulkWrite never returned and wedged the server), and
   * scans the collection for each single one; a first rollup (the common case) is a plain
   * insert. In between, the buckets are briefly
   * missing; no query reads them then, because each holds a minute still marked dirty
   * until the job has written every level (see CountsReader).
   */
  async replace(
    rollups: readonly RollupDocument[],
    sketches: readonly RollupSketchDocument[],
    /** `_id`s of the given documents already stored (the caller read them): only these are deleted. */
    existing: ReadonlySet<string>,
  ): Promise<void> {
    await replaceIn(this.rollups, rollups, existing);
    await replaceIn(this.sketches, sketches, existing);
  }

  private async find<T extends RollupDocument | RollupSketchDocument>(
    collection: TenantCollection<T>,
    tenantId: TenantId,
    runs: BucketRuns,
  ): Promise<T[]> {
    const branches = Object.entries(runs).flatMap(([interval, list]) =>
      (list ?? []).map(([first, last]) => ({ interval, bucket: { $gte: first, $lte: last } })),
    );
    if (branches.length === 0) return [];
    return (await collection.find(tenantFilter(tenantId, { $or: branches } as Filter<T>)).toArray()) as T[];
  }
}

/** Sorted runs of consecutive numbers, as [first, last] pairs: few `$or` branches for many buckets. */
export function runsOf(values: Iterable<number>): [number, number][] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const v of sorted) {
    const last = runs.at(-1);
    if (last && v === last[1] + 1) last[1] = v;
    else runs.push([v, v]);
  }
  return runs;
}

function byBucket<T extends { interval: BucketInterval; bucket: number }>(docs: readonly T[]): ByBucket<T> {
  const found: ByBucket<T> = { minute: new Map(), hour: new Map(), day: new Map() };
  for (const doc of docs) found[doc.interval].set(doc.bucket, doc);
  return found;
}

async function replaceIn<T extends { _id: string; tenantId: TenantId }>(
  collection: TenantCollection<T>,
  docs: readonly T[],
  existing: ReadonlySet<string>,
): Promise<void> {
  for (const [tenantId, stale] of idsByTenant(docs.filter((d) => existing.has(d._id)))) {
    await collection.deleteMany(tenantFilter(tenantId, { _id: { $in: stale } } as Filter<T>));
  }
  if (docs.length > 0) await collection.insertMany(docs, { ordered: false });
}
