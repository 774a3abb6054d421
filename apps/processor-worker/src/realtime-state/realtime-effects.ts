import {
  LIVE_WINDOW_SECONDS,
  REALTIME_TTL_SECONDS,
  ROLLUP_PENDING_SET,
  bucketOf,
  pendingMinuteMember,
  realtimeKeys,
  type BucketInterval,
} from '@tally/analytics-store';
import type { TenantId } from '@tally/tenancy';

/** What the real-time state needs of one event the worker owns. */
export interface CountedEvent {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly userKey: string;
  readonly timestampMs: number;
  readonly receivedAtMs: number;
}

/** Redis writes, already summed over a chunk of events: what the apply script runs. */
export type Effect =
  | { readonly op: 'hincrby'; readonly key: string; readonly field: string; readonly by: number; readonly ttl: number }
  | { readonly op: 'incrby'; readonly key: string; readonly by: number; readonly ttl: number }
  | { readonly op: 'pfadd'; readonly key: string; readonly members: readonly string[]; readonly ttl: number }
  | { readonly op: 'sadd'; readonly key: string; readonly member: string };

const UNIQUE_INTERVALS: readonly BucketInterval[] = ['minute', 'hour', 'day'];
/** Members per PFADD, well under the Lua stack limit of `unpack`. */
const PFADD_CHUNK = 500;

/**
 * Turns events into effects: per-minute counts by name (late events land in their own,
 * older minute), uniques per minute/hour/day for all events and per name, events per
 * second of arrival for the live view (recent arrivals only), and the minutes a rollup
 * must recount. Summing first keeps a chunk of 1,000 events to a few hundred commands.
 */
export function effectsOf(events: readonly CountedEvent[], nowMs: number): Effect[] {
  const counts = new Map<string, Map<string, number>>();
  const uniques = new Map<string, { ttl: number; members: Set<string> }>();
  const live = new Map<string, number>();
  const pending = new Set<string>();

  for (const event of events) {
    const minute = bucketOf(event.timestampMs, 'minute');
    const countKey = realtimeKeys.counts(event.tenantId, minute);
    const byName = counts.get(countKey) ?? new Map<string, number>();
    byName.set(event.name, (byName.get(event.name) ?? 0) + 1);
    counts.set(countKey, byName);
    pending.add(pendingMinuteMember(event.tenantId, minute));

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

    const second = Math.floor(event.receivedAtMs / 1000);
    if (nowMs / 1000 - second < LIVE_WINDOW_SECONDS) {
      const liveKey = realtimeKeys.live(event.tenantId, second);
      live.set(liveKey, (live.get(liveKey) ?? 0) + 1);
    }
  }

  const effects: Effect[] = [];
  for (const [key, byName] of counts) {
    for (const [field, by] of byName) effects.push({ op: 'hincrby', key, field, by, ttl: REALTIME_TTL_SECONDS.counts });
  }
  for (const [key, { ttl, members }] of uniques) {
    const all = [...members];
    for (let i = 0; i < all.length; i += PFADD_CHUNK) {
      effects.push({ op: 'pfadd', key, members: all.slice(i, i + PFADD_CHUNK), ttl });
    }
  }
  for (const [key, by] of live) effects.push({ op: 'incrby', key, by, ttl: REALTIME_TTL_SECONDS.live });
  for (const member of pending) effects.push({ op: 'sadd', key: ROLLUP_PENDING_SET, member });
  return effects;
}
