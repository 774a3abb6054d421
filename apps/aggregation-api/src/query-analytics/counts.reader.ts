import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { dirtyMinutesOf, realtimeKeys, rollupKeys, type NameRollup, type RollupDocument } from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';
import { RollupStore, runsOf, type BucketRuns, type ByBucket } from '../rollups/rollup.store';
import { minutesOf, splitUnit, tileMinutes, type RollupUnit } from './rollup-units';
import { SettledRollupsCache, isSettled } from './settled-rollups.cache';

/** Event counts of one time range, by counted name. */
export interface RangeCounts {
  readonly total: number;
  readonly byName: ReadonlyMap<string, number>;
}

/** Too much minute-level data for one answer (an odd time zone over a long range). */
export class QueryTooLargeError extends Error {}

/** How many rollups and counters one answer may read. */
const MAX_READS = 50_000;

/**
 * Units tiled, or counts summed, between two yields to the event loop. Every tenant's
 * queries share one event loop: an answer of thousands of units of a thousand names each,
 * summed in one go, held every other request back for tens of milliseconds; in slices of
 * well under a millisecond, the others are answered in between.
 */
const WORK_PER_SLICE = 500;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Exact counts for minute ranges of one tenant. Settled buckets come from rollups
 * (cached in process); a minute of the last two, or one that changed since it was last
 * rolled up (late events), from the worker's Redis counters — so answers are exact and
 * fresh at once. A day or hour that holds such a minute is read as its hours or minutes.
 */
@Injectable()
export class CountsReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly rollups: RollupStore,
  ) {}

  private readonly settled = new SettledRollupsCache();
  /** Reads under way, so requests asking for the same rollups at once share one read. */
  private readonly reading = new Map<string, Promise<ByBucket<RollupDocument>>>();

  /**
   * One MongoDB read for concurrent requests that need the same (not yet cached) rollups
   * of the same tenant: on FerretDB each read scans the collection, and a burst of
   * identical misses would otherwise scan it once per request.
   */
  private readRollups(
    tenantId: TenantId,
    late: string,
    units: readonly RollupUnit[],
  ): Promise<ByBucket<RollupDocument>> {
    const runs = runsByInterval(units);
    const key = `${tenantId}|${late}|${JSON.stringify(runs)}`;
    let read = this.reading.get(key);
    if (!read) {
      read = this.rollups.counts(tenantId, runs).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  /**
   * `ranges` are [startMinute, endMinute); the answer has one entry per range, in order.
   * With `onlyName`, only that name is counted (`total` is then its count): a series of
   * one event does not sum every other name of every bucket.
   */
  async count(
    tenantId: TenantId,
    ranges: readonly (readonly [number, number])[],
    onlyName?: string,
  ): Promise<RangeCounts[]> {
    // The late-write counter first: cached rollups read under it stay valid (see SettledRollupsCache).
    const [lateReply, dirtyReply] =
      (await this.redis
        .pipeline()
        .get(rollupKeys.lateWrites(tenantId))
        .hkeys(rollupKeys.dirtyMinutes(tenantId))
        .exec()) ?? [];
    const failure = lateReply?.[0] ?? dirtyReply?.[0];
    if (failure) throw failure;
    const late = lateReply?.[1] as string | null;
    const dirtyFields = (dirtyReply?.[1] ?? []) as string[];
    const settled = this.settled.entriesFor(tenantId, late ?? '0');
    const dirty = dirtyMinutesOf(dirtyFields).sort((a, b) => a - b);
    // A unit with a dirty minute, or one that is not settled yet (it ended less than two
    // minutes ago), is read through the Redis counters of its minutes: they are exact, and
    // recent minutes then never cost a MongoDB read. Settled, clean units come from rollups.
    const nowMs = Date.now();
    const fromCountersOnly = (unit: RollupUnit): boolean => {
      const [start, end] = minutesOf(unit);
      if (!isSettled(end, nowMs)) return true;
      const i = lowerBound(dirty, start);
      return i < dirty.length && (dirty[i] as number) < end;
    };

    const leavesPerRange: RollupUnit[][] = [];
    const fromRollups: RollupUnit[] = [];
    const fromCounters = new Set<number>();
    let reads = 0;
    for (const [start, end] of ranges) {
      const leaves: RollupUnit[] = [];
      const todo = tileMinutes(start, end);
      for (let unit = todo.pop(); unit !== undefined; unit = todo.pop()) {
        if (!fromCountersOnly(unit)) {
          leaves.push(unit);
          fromRollups.push(unit);
        } else if (unit.interval === 'minute') {
          leaves.push(unit);
          fromCounters.add(unit.bucket);
        } else {
          todo.push(...splitUnit(unit));
        }
        if (++reads > MAX_READS) throw new QueryTooLargeError('the query needs too much minute-level data');
        if (reads % WORK_PER_SLICE === 0) await yieldToOthers();
      }
      leavesPerRange.push(leaves);
    }

    // What the cache holds is taken now: another request may empty it while this one waits.
    const namesByUnit = new Map<number, readonly NameRollup[] | null>();
    const toFetch: RollupUnit[] = [];
    for (const unit of fromRollups) {
      const key = unitKey(unit);
      const cached = settled.get(key);
      if (cached !== undefined) namesByUnit.set(key, cached);
      else toFetch.push(unit);
    }
    const counterMinutes = [...fromCounters];
    const pipeline = this.redis.pipeline();
    for (const minute of counterMinutes) {
      const key = realtimeKeys.counts(tenantId, minute);
      if (onlyName === undefined) pipeline.hgetall(key);
      else pipeline.hget(key, onlyName);
    }
    const [stored, counters] = await Promise.all([
      this.readRollups(tenantId, late ?? '0', toFetch),
      counterMinutes.length > 0 ? pipeline.exec() : Promise.resolve([]),
    ]);
    const live = new Map<number, Record<string, string>>();
    for (const [i, minute] of counterMinutes.entries()) {
      const [error, value] = counters?.[i] ?? [null, {}];
      if (error) throw error;
      if (onlyName === undefined) live.set(minute, value as Record<string, string>);
      else live.set(minute, value === null ? {} : { [onlyName]: value as string });
    }
    for (const unit of toFetch) {
      const names = stored[unit.interval].get(unit.bucket)?.names ?? null;
      namesByUnit.set(unitKey(unit), names);
      this.settled.remember(settled, unitKey(unit), names);
    }

    const answers: RangeCounts[] = [];
    let work = 0;
    for (const leaves of leavesPerRange) {
      const byName = new Map<string, number>();
      const add = (name: string, n: number) => {
        if (onlyName === undefined || name === onlyName) byName.set(name, (byName.get(name) ?? 0) + n);
      };
      for (const unit of leaves) {
        if (unit.interval === 'minute' && fromCounters.has(unit.bucket)) {
          const counted = Object.entries(live.get(unit.bucket) ?? {});
          for (const [name, n] of counted) add(name, Number(n));
          work += 1 + counted.length;
        } else {
          const names = namesByUnit.get(unitKey(unit)) ?? [];
          if (onlyName === undefined) for (const { name, count } of names) add(name, count);
          else add(onlyName, names.find((n) => n.name === onlyName)?.count ?? 0);
          work += 1 + names.length;
        }
        if (work >= WORK_PER_SLICE) {
          work = 0;
          await yieldToOthers();
        }
      }
      let total = 0;
      for (const n of byName.values()) total += n;
      answers.push({ total, byName });
    }
    return answers;
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Units grouped by interval, as runs of consecutive buckets. */
export function runsByInterval(units: readonly RollupUnit[]): BucketRuns {
  return {
    minute: runsOf(units.filter((u) => u.interval === 'minute').map((u) => u.bucket)),
    hour: runsOf(units.filter((u) => u.interval === 'hour').map((u) => u.bucket)),
    day: runsOf(units.filter((u) => u.interval === 'day').map((u) => u.bucket)),
  };
}

/** A unit as one number (its bucket and interval): a map keyed by numbers hashes nothing. */
const INTERVAL_INDEX = { minute: 0, hour: 1, day: 2 } as const;
const unitKey = (unit: RollupUnit): number => unit.bucket * 3 + INTERVAL_INDEX[unit.interval];
