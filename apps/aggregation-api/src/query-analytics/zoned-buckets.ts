import { DateTime } from 'luxon';
import type { QueryInterval } from '@tally/contracts';

/** A time-series bucket as an instant range [startMs, endMs). */
export interface ZonedBucket {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The buckets of `interval` in time zone `tz` that cover [fromMs, toMs): the first is
 * the one `from` falls in, the last the one holding the instant just before `to`. Day
 * and hour boundaries follow the zone's wall clock (a day around a DST change is 23 or
 * 25 hours long); luxon does the calendar arithmetic.
 */
export function zonedBuckets(fromMs: number, toMs: number, interval: QueryInterval, tz: string): ZonedBucket[] {
  const buckets: ZonedBucket[] = [];
  let start = DateTime.fromMillis(fromMs, { zone: tz }).startOf(interval);
  while (start.toMillis() < toMs) {
    const next = start.plus({ [`${interval}s`]: 1 });
    buckets.push({ startMs: start.toMillis(), endMs: next.toMillis() });
    start = next;
  }
  return buckets;
}
