import { previousPeriodOf, zonedBucketCount, zonedBuckets, type FoldWindow } from '@tally/analytics-store';
import type { AnalyticsQueryV1 } from '@tally/contracts';

const MINUTE_MS = 60_000;

/** The windows a question reads: its own, then the previous period's with `compare`. */
export type QueryWindows = readonly [FoldWindow] | readonly [FoldWindow, FoldWindow];

/**
 * The question's window in whole minutes, and with `compare` the previous period
 * (`previousPeriodOf`: the same number of calendar months before a window of whole months
 * by month, else the window of the same length just before it; 0009 section 5), each with
 * its zoned buckets when the question has an `interval`. A bucket may start before its
 * window (the day `from` falls in): what is counted is always clipped to the window.
 */
export function queryWindowsOf(query: AnalyticsQueryV1): QueryWindows {
  const startMs = query.startMinute * MINUTE_MS;
  const endMs = query.endMinute * MINUTE_MS;
  const main = windowOf(query, startMs, endMs);
  if (query.compare !== 'previous_period') return [main];
  const previous = previousPeriodOf(startMs, endMs, query.interval, query.tz);
  return [main, windowOf(query, previous.startMs, previous.endMs)];
}

/** The buckets of the longer of the question's windows: what the bucket bound is checked against. */
export function bucketCountOf(query: AnalyticsQueryV1): number {
  if (query.interval === undefined) return 1;
  const startMs = query.startMinute * MINUTE_MS;
  const endMs = query.endMinute * MINUTE_MS;
  const own = zonedBucketCount(startMs, endMs, query.interval, query.tz);
  if (query.compare !== 'previous_period') return own;
  const previous = previousPeriodOf(startMs, endMs, query.interval, query.tz);
  return Math.max(own, zonedBucketCount(previous.startMs, previous.endMs, query.interval, query.tz));
}

function windowOf(query: AnalyticsQueryV1, startMs: number, endMs: number): FoldWindow {
  if (query.interval === undefined) return { startMs, endMs };
  return { startMs, endMs, buckets: zonedBuckets(startMs, endMs, query.interval, query.tz) };
}

/** A window's buckets as minute ranges clipped to it; one range without an interval. */
export function minuteRangesOf(window: FoldWindow): (readonly [number, number])[] {
  const start = window.startMs / MINUTE_MS;
  const end = window.endMs / MINUTE_MS;
  if (window.buckets === undefined) return [[start, end]];
  return window.buckets.map(
    (b) => [Math.max(start, Math.floor(b.startMs / MINUTE_MS)), Math.min(end, Math.ceil(b.endMs / MINUTE_MS))] as const,
  );
}
