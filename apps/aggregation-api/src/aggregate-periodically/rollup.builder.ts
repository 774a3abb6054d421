import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { Binary } from 'mongodb';
import {
  DIRTY_TENANTS_SET,
  REALTIME_TTL_SECONDS,
  bucketOf,
  freshCountersField,
  realtimeKeys,
  rollupId,
  rollupKeys,
  type BucketInterval,
  type RollupDocument,
  type RollupSketchDocument,
} from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import { tenantKey, type PlatformKey, type TenantId, type TenantKey } from '@tally/tenant-scope';
import { RollupStore, runsOf } from '../rollups/rollup.store';
import { foldRareNames } from './fold-rare-names.util';
import { RawMinuteReader } from './raw-minute.reader';
import { CLEAR_DIRTY_LUA, MERGE_HLL_LUA, RESTORE_COUNTERS_LUA } from './rollup-scripts.lua';

/** A dirty minute and its change counter as read before the snapshot. */
export interface DirtyMinute {
  readonly minute: number;
  readonly version: string;
  /** Its counters were created anew since it was last rolled up. */
  readonly fresh: boolean;
}

export interface RollReport {
  readonly minutes: number;
  /** Minutes whose counters were gone and were recounted from the raw events. */
  readonly recounted: number;
  /** The Redis keys whose contents the rollups now hold. */
  readonly rolledUpKeys: RolledUpKeys;
}

export interface RolledUpKeys {
  readonly byMinute: ReadonlyMap<number, readonly TenantKey[]>;
  /** Of each hour and day rolled up, with when it ends. */
  readonly ofParents: readonly { readonly endMs: number; readonly keys: readonly TenantKey[] }[];
}

interface RollupScripts {
  tallyMergeHllBuffer(scratch: TenantKey, live: TenantKey, stored: Buffer | string): ChainableCommander;
}

type RedisWithRollupScripts = Redis & {
  tallyClearDirty(dirtyKey: TenantKey, setKey: PlatformKey, ...args: string[]): Promise<number>;
  tallyRestoreCounters(countsKey: TenantKey, dirtyKey: TenantKey, ...args: (string | number)[]): Promise<number>;
};

/** A rollup and its sketch, as written together. */
interface BuiltRollup {
  readonly rollup: RollupDocument;
  readonly sketch: RollupSketchDocument;
}

const PER_PARENT = { hour: 60, day: 24 } as const;

/**
 * Turns one tenant's dirty minutes into exact rollups: each minute from its Redis
 * counters (written exactly once per event by the worker), each hour as the sum of its
 * minutes, each day as the sum of its hours; uniques as HyperLogLogs merged with what
 * the rollup already held. Every rollup is replaced whole, so running twice (or two
 * leaders for a moment) gives the same documents.
 */
@Injectable()
export class RollupBuilder {
  private readonly redis: RedisWithRollupScripts;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly store: RollupStore,
    private readonly raw: RawMinuteReader,
  ) {
    if (!('tallyClearDirty' in redis)) {
      redis.defineCommand('tallyMergeHll', { numberOfKeys: 2, lua: MERGE_HLL_LUA });
      redis.defineCommand('tallyClearDirty', { numberOfKeys: 2, lua: CLEAR_DIRTY_LUA });
      redis.defineCommand('tallyRestoreCounters', { numberOfKeys: 2, lua: RESTORE_COUNTERS_LUA });
    }
    this.redis = redis as RedisWithRollupScripts;
  }

  async roll(tenantId: TenantId, dirty: readonly DirtyMinute[], nowMs: number): Promise<RollReport> {
    const minutes = dirty.map((d) => d.minute);
    const hours = unique(minutes.map((m) => Math.floor(m / PER_PARENT.hour)));
    const days = unique(hours.map((h) => Math.floor(h / PER_PARENT.day)));
    // Two reads for the whole slice (FerretDB scans the collection for each query):
    // the counts of every minute of the hours touched, every hour of the days touched
    // and those days; and the sketches of the buckets being rewritten.
    const stored = await this.store.counts(tenantId, {
      minute: runsOf(hours).map(([first, last]) => [first * 60, (last + 1) * 60 - 1] as const),
      hour: runsOf(days).map(([first, last]) => [first * 24, (last + 1) * 24 - 1] as const),
      day: runsOf(days),
    });
    const sketches = await this.store.sketchesIn(tenantId, {
      minute: runsOf(minutes),
      hour: runsOf(hours),
      day: runsOf(days),
    });
    for (const { minute } of dirty.filter((d) => d.fresh)) {
      await this.consumeFreshFlag(tenantId, minute, stored.minute.get(minute));
    }

    const read = this.redis.pipeline();
    for (const minute of minutes) {
      read.hgetall(realtimeKeys.counts(tenantId, minute));
      read.pttl(realtimeKeys.counts(tenantId, minute));
    }
    const replies = await execAll(read);

    let recounted = 0;
    const minuteCounts: { bucket: number; counts: Map<string, number>; countsExpireAt: Date }[] = [];
    for (const [i, minute] of minutes.entries()) {
      const live = replies[2 * i] as Record<string, string>;
      const ttlMs = Number(replies[2 * i + 1]);
      if (Object.keys(live).length > 0) {
        const counts = new Map(Object.entries(live).map(([name, n]) => [name, Number(n)]));
        minuteCounts.push({ bucket: minute, counts, countsExpireAt: new Date(nowMs + Math.max(0, ttlMs)) });
      } else {
        minuteCounts.push({
          bucket: minute,
          counts: await this.recount(tenantId, minute),
          countsExpireAt: new Date(nowMs),
        });
        recounted += 1;
      }
    }
    const minuteDocs = await this.withUniques(tenantId, 'minute', minuteCounts, sketches.minute, nowMs);
    for (const { rollup } of minuteDocs) stored.minute.set(rollup.bucket, rollup);
    const hourDocs = await this.sumUp(tenantId, 'hour', hours, stored.minute, sketches.hour, nowMs);
    for (const { rollup } of hourDocs) stored.hour.set(rollup.bucket, rollup);
    const dayDocs = await this.sumUp(tenantId, 'day', days, stored.hour, sketches.day, nowMs);
    const all = [...minuteDocs, ...hourDocs, ...dayDocs];
    const existing = new Set<string>();
    for (const found of [stored, sketches]) {
      for (const byBucket of Object.values(found)) for (const doc of byBucket.values()) existing.add(doc._id);
    }
    await this.store.replace(
      all.map((d) => d.rollup),
      all.map((d) => d.sketch),
      existing,
    );
    const keysOf = ({ rollup }: BuiltRollup) => [
      ...(rollup.interval === 'minute' ? [realtimeKeys.counts(tenantId, rollup.bucket)] : []),
      realtimeKeys.uniques(tenantId, rollup.interval, rollup.bucket),
      ...rollup.names.map((n) => realtimeKeys.uniques(tenantId, rollup.interval, rollup.bucket, n.name)),
    ];
    const endOf = ({ rollup }: BuiltRollup) =>
      (rollup.bucket + 1) * (rollup.interval === 'hour' ? 3_600_000 : 86_400_000);
    return {
      minutes: minutes.length,
      recounted,
      rolledUpKeys: {
        byMinute: new Map(minuteDocs.map((d) => [d.rollup.bucket, keysOf(d)])),
        ofParents: [...hourDocs, ...dayDocs].map((d) => ({ endMs: endOf(d), keys: keysOf(d) })),
      },
    };
  }

  /**
   * Cuts the lives of rolled-up keys (never lengthens one) to
   * `REALTIME_TTL_SECONDS.afterRollup` from now — a query that saw the minute dirty just
   * before may still be reading them — or, for an hour or a day that has not ended yet,
   * from its end. A minute that changed meanwhile keeps its keys for the next run. A
   * later write puts a key's long life back, and every rollup merges its keys into the
   * sketches, so nothing is lost with them. Run after `clear`.
   */
  async expireRolledUp(tenantId: TenantId, keys: RolledUpKeys): Promise<void> {
    const minutes = [...keys.byMinute.keys()];
    if (minutes.length === 0) return;
    const stillDirty = await this.redis.hmget(rollupKeys.dirtyMinutes(tenantId), ...minutes.map(String));
    const expire = this.redis.pipeline();
    const afterMs = REALTIME_TTL_SECONDS.afterRollup * 1_000;
    const nowMs = Date.now();
    for (const [i, minute] of minutes.entries()) {
      if (stillDirty[i] !== null) continue;
      for (const key of keys.byMinute.get(minute) ?? []) expire.pexpireat(key, nowMs + afterMs, 'LT');
    }
    for (const { endMs, keys: parentKeys } of keys.ofParents) {
      for (const key of parentKeys) expire.pexpireat(key, Math.max(endMs, nowMs) + afterMs, 'LT');
    }
    await execAll(expire);
  }

  /** Marks the rolled-up minutes clean unless they changed meanwhile; returns how many stay dirty. */
  async clear(tenantId: TenantId, dirty: readonly DirtyMinute[]): Promise<number> {
    return this.redis.tallyClearDirty(
      rollupKeys.dirtyMinutes(tenantId),
      DIRTY_TENANTS_SET,
      tenantId,
      ...dirty.flatMap((d) => [String(d.minute), d.version]),
    );
  }

  /** Counters created anew after an earlier rollup get that rollup back (RESTORE_COUNTERS_LUA). */
  private async consumeFreshFlag(
    tenantId: TenantId,
    minute: number,
    before: RollupDocument | undefined,
  ): Promise<void> {
    await this.redis.tallyRestoreCounters(
      realtimeKeys.counts(tenantId, minute),
      rollupKeys.dirtyMinutes(tenantId),
      freshCountersField(minute),
      REALTIME_TTL_SECONDS.counts,
      ...(before?.names ?? []).flatMap((n) => [n.name, n.count]),
    );
  }

  /** The durable fallback: counts from raw events, whose users are added back to the Redis uniques. */
  private async recount(tenantId: TenantId, minute: number): Promise<Map<string, number>> {
    const { counts, users } = await this.raw.read(tenantId, minute);
    const at = minute * 60_000;
    const repair = this.redis.pipeline();
    for (const [name, keys] of users) {
      for (const interval of ['minute', 'hour', 'day'] as const) {
        const bucket = bucketOf(at, interval);
        for (const key of [
          realtimeKeys.uniques(tenantId, interval, bucket),
          realtimeKeys.uniques(tenantId, interval, bucket, name),
        ]) {
          repair.pfadd(key, ...keys);
          repair.expire(key, REALTIME_TTL_SECONDS.uniques[interval]);
        }
      }
    }
    if (users.size > 0) await execAll(repair);
    return counts;
  }

  /** Parents (hours or days) as the sums of their children's rollups (the new ones included). */
  private async sumUp(
    tenantId: TenantId,
    interval: 'hour' | 'day',
    buckets: readonly number[],
    children: ReadonlyMap<number, RollupDocument>,
    previous: ReadonlyMap<number, RollupSketchDocument>,
    nowMs: number,
  ): Promise<BuiltRollup[]> {
    const per = PER_PARENT[interval];
    const sums = new Map<number, Map<string, number>>(buckets.map((b) => [b, new Map()]));
    for (const child of children.values()) addCounts(sums.get(Math.floor(child.bucket / per)), child);
    return this.withUniques(
      tenantId,
      interval,
      [...sums].map(([bucket, counts]) => ({ bucket, counts })),
      previous,
      nowMs,
    );
  }

  /**
   * Rollup documents with their uniques: the Redis HyperLogLogs merged into the previous
   * rollup's. Each keeps a bounded number of names (foldRareNames), so it always fits in a
   * MongoDB document; a parent sums its children's `(other)` with the names it folds itself.
   */
  private async withUniques(
    tenantId: TenantId,
    interval: BucketInterval,
    unbounded: readonly { bucket: number; counts: ReadonlyMap<string, number>; countsExpireAt?: Date }[],
    previous: ReadonlyMap<number, RollupSketchDocument>,
    nowMs: number,
  ): Promise<BuiltRollup[]> {
    const buckets = unbounded.map((b) => ({ ...b, counts: foldRareNames(b.counts) }));
    const scratch = tenantKey(tenantId, 'tmp', 'hll');
    const merge = this.redis.pipeline() as ChainableCommander & RollupScripts;
    for (const { bucket, counts } of buckets) {
      const before = previous.get(bucket);
      const storedByName = new Map((before?.nameHll ?? []).map((n) => [n.name, n.hll]));
      merge.tallyMergeHllBuffer(scratch, realtimeKeys.uniques(tenantId, interval, bucket), bytesOf(before?.hll));
      for (const name of counts.keys()) {
        merge.tallyMergeHllBuffer(
          scratch,
          realtimeKeys.uniques(tenantId, interval, bucket, name),
          bytesOf(storedByName.get(name)),
        );
      }
    }
    const sketches = (await execAll(merge)) as (Buffer | null)[];

    let next = 0;
    return buckets.map(({ bucket, counts, countsExpireAt }) => {
      const _id = rollupId(tenantId, interval, bucket);
      const all = sketches[next++];
      const names = [...counts].map(([name, count]) => ({ name, count }));
      const nameHll = names.flatMap(({ name }) => {
        const hll = sketches[next++];
        return hll ? [{ name, hll: new Binary(hll) }] : [];
      });
      return {
        rollup: {
          _id,
          tenantId,
          interval,
          bucket,
          total: names.reduce((sum, n) => sum + n.count, 0),
          names,
          ...(countsExpireAt ? { countsExpireAt } : {}),
          updatedAt: new Date(nowMs),
        },
        sketch: { _id, tenantId, interval, bucket, ...(all ? { hll: new Binary(all) } : {}), nameHll },
      };
    });
  }
}

function addCounts(into: Map<string, number> | undefined, rollup: RollupDocument): void {
  if (!into) return;
  for (const { name, count } of rollup.names) into.set(name, (into.get(name) ?? 0) + count);
}

const bytesOf = (binary: Binary | undefined): Buffer | string => (binary ? Buffer.from(binary.buffer) : '');

const unique = (values: readonly number[]): number[] => [...new Set(values)];

/** Runs a pipeline; the first failed command fails the whole step (it is retried next run). */
async function execAll(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
