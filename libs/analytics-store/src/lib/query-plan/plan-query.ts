import type { AnalyticsQueryV1, QueryFilterV1 } from '@tally/contracts';
import { previousPeriodOf } from '../time/zoned-buckets';

/**
 * What the counters hold besides event names: none yet. Per-dimension counters and
 * measures (0009, sections 2 and 3) come with the tenant's analytics settings; this type
 * widens with them, and the planner's rules for counted dimensions with it, so that no
 * caller can pass a counted dimension the planner would ignore.
 */
export interface CountedDimensions {
  readonly dimensions: readonly never[];
}

/** Everything the plan depends on besides the question. */
export interface QueryPlanFacts {
  /** The clock, for the counted-since bounds of declared dimensions (none yet). */
  readonly nowMs: number;
  /** The longest window a scan may read, both periods together with `compare` (`QUERY_SCAN_MAX_DAYS`). */
  readonly scanMaxDays: number;
  readonly counted: CountedDimensions;
}

/**
 * How a question is answered, and why: `reason` is the answer's `reason`. A refusal is a
 * 400 naming `field`, whose `rule` says how to ask instead.
 */
export type QueryPlan =
  | { readonly kind: 'counters' | 'scan'; readonly reason: string }
  | { readonly kind: 'refused'; readonly field: string; readonly rule: string };

const COUNTED_METRICS: ReadonlySet<string> = new Set(['events', 'uniques']);
const COUNTED_FILTER_OPS: ReadonlySet<QueryFilterV1['op']> = new Set(['eq', 'in']);

const COUNTED = 'events and uniques by event name are counted in real time';
const FORCED_SCAN = 'path scan was asked for';
const MINUTES_PER_DAY = 1_440;
const MINUTE_MS = 60_000;

/**
 * The path that answers a question (decision 0009, section 5): the counters when they
 * hold the answer, else a scan of raw events within the scan's window bound. A forced
 * `path` is obeyed or refused, never silently changed. Pure: every fact is an argument.
 */
export function planQuery(query: AnalyticsQueryV1, facts: QueryPlanFacts): QueryPlan {
  const uncounted = uncountedPartOf(query);
  if (query.path === 'counters' && uncounted !== undefined) {
    return {
      kind: 'refused',
      field: 'path',
      rule: `the counters cannot answer this question: ${uncounted}; ask with path auto or scan`,
    };
  }
  if (query.path !== 'scan' && uncounted === undefined) return { kind: 'counters', reason: COUNTED };
  return scanWithinBound(query, facts, uncounted);
}

/** Why the counters cannot answer, in the words of the answer's `reason`; `undefined` if they can. */
function uncountedPartOf(query: AnalyticsQueryV1): string | undefined {
  const measure = query.metrics.find((metric) => !COUNTED_METRICS.has(metric));
  if (measure !== undefined) return `${measure} is not counted in real time`;
  const dimension = query.breakdown.find((field) => field !== 'event');
  if (dimension !== undefined) return `breakdown by ${dimension} is not counted in real time`;
  const filter = query.filters.find((f) => f.field !== 'event' || !COUNTED_FILTER_OPS.has(f.op));
  if (filter !== undefined) {
    return filter.field === 'event'
      ? `a filter on event with ${filter.op} is not counted in real time (eq and in are)`
      : `a filter on ${filter.field} is not counted in real time`;
  }
  // Every interval is: the counter path reads each zoned bucket as its UTC days, hours and minutes.
  return undefined;
}

/**
 * A scan, unless its window is past the bound: refused before any work, naming `from`.
 * `uncounted` is why the counters could not answer; without it the scan was forced.
 */
function scanWithinBound(query: AnalyticsQueryV1, facts: QueryPlanFacts, uncounted: string | undefined): QueryPlan {
  const reason = uncounted ?? FORCED_SCAN;
  const periods = query.compare === undefined ? 1 : 2;
  const scannedMinutes = query.endMinute - query.startMinute + previousPeriodMinutesOf(query);
  if (scannedMinutes <= facts.scanMaxDays * MINUTES_PER_DAY) return { kind: 'scan', reason };
  const bound =
    periods === 1
      ? `a scan reads at most ${facts.scanMaxDays} days`
      : `a scan reads at most ${facts.scanMaxDays} days of both periods together, so a window of at most ${facts.scanMaxDays / periods} days with compare`;
  const instead = uncounted === undefined ? 'shorten the window, or ask with path auto' : 'shorten the window';
  return { kind: 'refused', field: 'from', rule: `needs a scan, because ${reason}; ${bound}: ${instead}` };
}

/** How long the previous period is, in minutes (0 without `compare`): a calendar month is not the window's length. */
function previousPeriodMinutesOf(query: AnalyticsQueryV1): number {
  if (query.compare === undefined) return 0;
  const startMs = query.startMinute * MINUTE_MS;
  const previous = previousPeriodOf(startMs, query.endMinute * MINUTE_MS, query.interval, query.tz);
  return (previous.endMs - previous.startMs) / MINUTE_MS;
}
