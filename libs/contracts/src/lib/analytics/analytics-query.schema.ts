import { z } from 'zod';

/** What every query is bounded by: answers stay small and cheap to compute. */
export const QUERY_LIMITS = {
  /** The longest window any query may cover. */
  maxRangeDays: 400,
  /** The most buckets one time series may have. */
  maxBuckets: 1_500,
  /** The most event names `/v1/events/top` may return. */
  maxTopEvents: 100,
  /** Longest event name a query may filter on (the ingest limit of an event is far larger). */
  maxEventNameLength: 200,
  /** Without `from`/`to`: the last 24 hours. */
  defaultRangeMs: 24 * 3_600_000,
} as const;

export const QUERY_INTERVALS = ['minute', 'hour', 'day'] as const;
export type QueryInterval = (typeof QUERY_INTERVALS)[number];

/** An ISO-8601 instant with its offset, as a `Date`: the one spelling of every query window. */
export const instantSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 instant with a time zone, e.g. 2026-11-28T12:00:00Z' })
  .transform((value) => new Date(value));

/**
 * Zones already found valid. Asking Intl costs 70–90 µs (a whole DateTimeFormat), which
 * was a tenth of a cached answer's CPU when done on every query. Bounded, because every
 * case variant of a zone name is valid too.
 */
const knownTimeZones = new Set<string>();
const MAX_KNOWN_TIME_ZONES = 1_000;

const isTimeZone = (value: string): boolean => {
  if (knownTimeZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    return false;
  }
  if (knownTimeZones.size < MAX_KNOWN_TIME_ZONES) knownTimeZones.add(value);
  return true;
};

/** An IANA time zone name, checked against the runtime's zone data. */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'must be an IANA time zone such as UTC or Europe/Paris' });

const windowFields = {
  from: instantSchema.optional(),
  to: instantSchema.optional(),
};

const eventField = z
  .string()
  .min(1, 'must not be empty')
  .max(QUERY_LIMITS.maxEventNameLength, `must be at most ${QUERY_LIMITS.maxEventNameLength} characters`);

export interface QueryWindow {
  readonly from: Date;
  readonly to: Date;
}

/**
 * Fills the default window (`to` = now, `from` = 24 h before `to`) and checks order and
 * length; `z.NEVER` (with the issue added) when the window is refused.
 */
export const resolveWindow = <T extends { from?: Date | undefined; to?: Date | undefined }>(
  query: T,
  context: z.RefinementCtx,
  now: () => number,
): (Omit<T, 'from' | 'to'> & QueryWindow) | typeof z.NEVER => {
  const to = query.to ?? new Date(now());
  const from = query.from ?? new Date(to.getTime() - QUERY_LIMITS.defaultRangeMs);
  if (from.getTime() >= to.getTime()) {
    context.addIssue({ code: 'custom', path: ['from'], message: 'must be before to (the range is empty or reversed)' });
    return z.NEVER;
  }
  if (to.getTime() - from.getTime() > QUERY_LIMITS.maxRangeDays * 86_400_000) {
    context.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range may cover at most ${QUERY_LIMITS.maxRangeDays} days`,
    });
    return z.NEVER;
  }
  return { ...query, from, to };
};

/**
 * Query-string contracts of aggregation-api. Strict: an unknown parameter (or an
 * operator smuggled in as `from[$gt]`) is a 400 naming it, never silently ignored.
 * `now` is injectable so tests can pin the default window.
 */
export const analyticsQuerySchemas = (now: () => number = Date.now) => ({
  summary: z.strictObject(windowFields).transform((q, ctx) => resolveWindow(q, ctx, now)),
  timeseries: z
    .strictObject({
      ...windowFields,
      event: eventField.optional(),
      interval: z.enum(QUERY_INTERVALS, { message: `must be one of ${QUERY_INTERVALS.join(', ')}` }).default('hour'),
      tz: timeZoneSchema.default('UTC'),
    })
    .transform((q, ctx) => resolveWindow(q, ctx, now)),
  topEvents: z
    .strictObject({
      ...windowFields,
      limit: z.coerce
        .number({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(QUERY_LIMITS.maxTopEvents, `must be at most ${QUERY_LIMITS.maxTopEvents}`)
        .default(10),
    })
    .transform((q, ctx) => resolveWindow(q, ctx, now)),
  uniques: z
    .strictObject({ ...windowFields, event: eventField.optional() })
    .transform((q, ctx) => resolveWindow(q, ctx, now)),
});

type Schemas = ReturnType<typeof analyticsQuerySchemas>;
export type SummaryQuery = z.output<Schemas['summary']>;
export type TimeseriesQuery = z.output<Schemas['timeseries']>;
export type TopEventsQuery = z.output<Schemas['topEvents']>;
export type UniquesQuery = z.output<Schemas['uniques']>;

/** Answers. Windows are reported as the minute-aligned instants actually counted. */
export interface EventCount {
  readonly name: string;
  readonly count: number;
}

export interface SummaryAnswer {
  readonly from: string;
  readonly to: string;
  readonly totalEvents: number;
  readonly uniqueUsers: number;
  readonly countsByEvent: Record<string, number>;
}

export interface TimeseriesAnswer {
  readonly from: string;
  readonly to: string;
  readonly event: string | null;
  readonly interval: QueryInterval;
  readonly tz: string;
  readonly total: number;
  readonly buckets: readonly { readonly start: string; readonly count: number }[];
}

export interface TopEventsAnswer {
  readonly from: string;
  readonly to: string;
  readonly events: readonly EventCount[];
}

export interface UniquesAnswer {
  readonly from: string;
  readonly to: string;
  readonly event: string | null;
  readonly uniques: number;
}

/** One `/v1/live` frame: events received per second over the last minute, oldest first. */
export interface LiveFrame {
  readonly at: string;
  readonly seconds: number;
  readonly perSecond: readonly number[];
  readonly total: number;
}
