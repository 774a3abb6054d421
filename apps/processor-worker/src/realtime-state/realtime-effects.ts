import {
  LIVE_WINDOW_SECONDS,
  REALTIME_TTL_SECONDS,
  DIRTY_TENANTS_SET,
  ROLLUP_STATE_TTL_SECONDS,
  freshCountersField,
  bucketOf,
  realtimeKeys,
  rollupKeys,
  type BucketInterval,
} from '@tally/analytics-store';
import type { EventDimensions } from '@tally/analytics-store';
import type { RedisKey, TenantId, TenantKey } from '@tally/tenant-scope';
import { dimensionEffectsOf } from './dimension-effects';

/** What the real-time state needs of one event the worker owns. */
export interface CountedEvent {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly userKey: string;
  readonly timestampMs: number;
  readonly receivedAtMs: number;
  /** What it writes into the dimension counters, admitted; absent when the tenant counts none for it. */
  readonly dimensions?: EventDimensions;
}

/** Redis writes, already summed over a chunk of events: what the apply script runs. */
export type Effect =
  | {
      readonly op: 'hincrby';
      readonly key: RedisKey;
      readonly field: string;
      readonly by: number;
      readonly ttl: number;
      /** Set this hash field first if the hash does not exist yet. */
      readonly flagNew?: { readonly key: RedisKey; readonly field: string };
    }
  | { readonly op: 'incrby'; readonly key: RedisKey; readonly by: number; readonly ttl: number }
  | { readonly op: 'pfadd'; readonly key: RedisKey; readonly members: readonly string[]; readonly ttl: number }
  | { readonly op: 'sadd'; readonly key: RedisKey; readonly member: string }
  /** Sets the key to `value` unless it holds a larger number already. */
  | { readonly op: 'max'; readonly key: RedisKey; readonly value: number; readonly ttl: number }
  /**
   * HINCRBY of many fields of one hash, then one EXPIRE; first sets `flagNew` if the hash
   * does not exist yet. An increment that would overflow sets an overflow flag instead
   * (`OVERFLOW_FIELD_PREFIX`): the script never fails half-way.
   */
  | {
      readonly op: 'hash-add';
      readonly key: RedisKey;
      readonly increments: ReadonlyMap<string, bigint>;
      readonly ttl: number;
      readonly flagNew: { readonly key: RedisKey; readonly field: string };
    }
  /** Sets a hash field to `value` unless it holds a number at least as low (`lo`) or high (`hi`). */
  | {
      readonly op: 'hash-extreme';
      readonly key: RedisKey;
      readonly field: string;
      readonly value: number;
      readonly keep: 'lo' | 'hi';
    };

const UNIQUE_INTERVALS: readonly BucketInterval[] = ['minute', 'hour', 'day'];
/** Members per PFADD, well under the Lua stack limit of `unpack`. */
const PFADD_CHUNK = 500;

/**
 * Turns events into effects: per-minute counts by name (late events land in their own,
 * older minute), uniques per minute/hour/day for all events and per name, events per
 * second of arrival for the live view (recent arrivals only), the newest arrival per
 * tenant (an answer's freshness), the minutes the aggregation job must roll up again, and how many writes went into already-closed minutes (which
 * makes cached answers for closed windows stale), and the dimension counters
 * (`dimensionEffectsOf`). Summing first keeps a chunk of 1,000 events to a few hundred
 * commands for names, and a few thousand with dimensions.
 */
export function effectsOf(events: readonly CountedEvent[], nowMs: number): Effect[] {
  const counts = new Map<TenantKey, { tenantId: TenantId; minute: number; byName: Map<string, number> }>();
  const uniques = new Map<TenantKey, { ttl: number; members: Set<string> }>();
  const live = new Map<TenantKey, number>();
  const dirty = new Map<TenantId, Set<number>>();
  const late = new Map<TenantId, number>();
  const newest = new Map<TenantId, number>();
  const closedBefore = bucketOf(nowMs, 'minute') - 1;

  for (const event of events) {
    const minute = bucketOf(event.timestampMs, 'minute');
    const countKey = realtimeKeys.counts(event.tenantId, minute);
    const minuteCounts = counts.get(countKey) ?? {
      tenantId: event.tenantId,
      minute,
      byName: new Map<string, number>(),
    };
    minuteCounts.byName.set(event.name, (minuteCounts.byName.get(event.name) ?? 0) + 1);
    counts.set(countKey, minuteCounts);
    const tenantDirty = dirty.get(event.tenantId) ?? new Set<number>();
    tenantDirty.add(minute);
    dirty.set(event.tenantId, tenantDirty);
    if (minute < closedBefore) late.set(event.tenantId, (late.get(event.tenantId) ?? 0) + 1);

    for (const interval of UNIQUE_INTERVALS) {
      const bucket = bucketOf(event.timestampMs, interval);
      for (const key of [
        realtimeKeys.uniques(event.tenantId, interval, bucket),
        realtimeKeys.uniques(event.tenantId, interval, bucket, event.name),
      ]) {
        const entry = uniques.get(key) ?? { ttl: REALTIME_TTL_SECONDS.uniques[interval], members: new Set() };
        entry.members.add(event.userKey);
        uniques.set(key, entry);
      }
    }

    if (event.receivedAtMs > (newest.get(event.tenantId) ?? -1)) newest.set(event.tenantId, event.receivedAtMs);
    const second = Math.floor(event.receivedAtMs / 1000);
    if (nowMs / 1000 - second < LIVE_WINDOW_SECONDS) {
      const liveKey = realtimeKeys.live(event.tenantId, second);
      live.set(liveKey, (live.get(liveKey) ?? 0) + 1);
    }
  }

  const effects: Effect[] = [];
  for (const [key, { tenantId, minute, byName }] of counts) {
    const flagNew = { key: rollupKeys.dirtyMinutes(tenantId), field: freshCountersField(minute) };
    for (const [field, by] of byName) {
      effects.push({ op: 'hincrby', key, field, by, ttl: REALTIME_TTL_SECONDS.counts, flagNew });
    }
  }
  for (const [key, { ttl, members }] of uniques) effects.push(...pfaddsOf(key, [...members], ttl));
  for (const [key, by] of live) effects.push({ op: 'incrby', key, by, ttl: REALTIME_TTL_SECONDS.live });
  for (const [tenantId, minutes] of dirty) {
    const key = rollupKeys.dirtyMinutes(tenantId);
    for (const minute of minutes) {
      effects.push({ op: 'hincrby', key, field: String(minute), by: 1, ttl: ROLLUP_STATE_TTL_SECONDS });
    }
    effects.push({ op: 'sadd', key: DIRTY_TENANTS_SET, member: tenantId });
  }
  for (const [tenantId, by] of late) {
    effects.push({ op: 'incrby', key: rollupKeys.lateWrites(tenantId), by, ttl: ROLLUP_STATE_TTL_SECONDS });
  }
  for (const [tenantId, value] of newest) {
    const key = realtimeKeys.newestReceived(tenantId);
    effects.push({ op: 'max', key, value, ttl: REALTIME_TTL_SECONDS.newestReceived });
  }
  for (const effect of dimensionEffectsOf(events)) {
    if (effect.op === 'pfadd') effects.push(...pfaddsOf(effect.key, effect.members, effect.ttl));
    else effects.push(effect);
  }
  return effects;
}

function pfaddsOf(key: RedisKey, members: readonly string[], ttl: number): Effect[] {
  const effects: Effect[] = [];
  for (let i = 0; i < members.length; i += PFADD_CHUNK) {
    effects.push({ op: 'pfadd', key, members: members.slice(i, i + PFADD_CHUNK), ttl });
  }
  return effects;
}
