import { z } from 'zod';
import { QUERY_LIMITS, instantSchema, resolveWindow, timeZoneSchema } from './analytics-query.schema';

/**
 * `POST /v1/query` (decision 0009, section 5): one question of events, uniques and
 * measures, broken down and filtered by event fields, answered from the counters or by a
 * scan of raw events. The window (400 days) and the bucket count (1,500) are the bounds of
 * `QUERY_LIMITS`; the bucket and row bounds need the zone's calendar, so the service
 * checks them once it has the buckets.
 */
export const QUERY_V1_LIMITS = {
  maxEvents: 20,
  maxMetrics: 8,
  maxBreakdown: 2,
  maxFilters: 10,
  /** Values of one `in`/`not_in` filter. */
  maxFilterValues: 100,
  /** The text of a `contains`/`starts_with` filter. */
  maxFilterTextLength: 200,
  /** A field key, root and escapes included: analytics-store's `MAX_FIELD_KEY_LENGTH`. */
  maxFieldKeyLength: 200,
  /** Breakdown combinations an answer may list. */
  maxLimit: 1_000,
  defaultLimit: 100,
  /** Combinations × buckets; checked by the service, which knows the buckets. */
  maxRows: 50_000,
} as const;

export const QUERY_V1_INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type QueryIntervalV1 = (typeof QUERY_V1_INTERVALS)[number];

export const QUERY_V1_PATHS = ['auto', 'counters', 'scan'] as const;
export type QueryPathV1 = (typeof QUERY_V1_PATHS)[number];

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const MEASURE_AGGREGATES = ['sum', 'avg', 'min', 'max'] as const;
export type MeasureAggregate = (typeof MEASURE_AGGREGATES)[number];

/** `events`, `uniques`, or an aggregate of a property key: `sum:properties.revenue`. */
export type QueryMetricV1 = 'events' | 'uniques' | `${MeasureAggregate}:${string}`;

/**
 * What a field may be. Restated, not imported: the fields' owners — `STANDARD_DIMENSIONS`
 * in event-dimensions and `FIELD_ROOTS`/`MAX_FIELD_KEY_LENGTH` of analytics-store's
 * field-path codec — depend on contracts, so contracts cannot depend on them.
 * analytics-store's plan-query spec fails when the two spellings part. Here a key is only
 * bounded and rooted; whether the codec would spell it so is the store's to say.
 */
export const QUERY_STANDARD_FIELDS = [
  'event',
  '$path',
  '$referrer_host',
  '$utm_source',
  '$utm_medium',
  '$utm_campaign',
  '$browser',
  '$os',
  '$device',
  '$country',
  '$library',
] as const;
export const QUERY_FIELD_ROOTS = ['properties', 'traits', 'context'] as const;

const STANDARD_FIELDS: ReadonlySet<string> = new Set(QUERY_STANDARD_FIELDS);
const ROOT_PREFIXES = QUERY_FIELD_ROOTS.map((root) => `${root}.`);

/** A key under `properties.`, `traits.` or `context.`, bounded: what a property field may be. */
export const isPropertyKey = (key: string): boolean =>
  key.length <= QUERY_V1_LIMITS.maxFieldKeyLength && ROOT_PREFIXES.some((prefix) => key.startsWith(prefix));

const isField = (key: string): boolean => STANDARD_FIELDS.has(key) || isPropertyKey(key);

const MEASURE_PREFIXES = MEASURE_AGGREGATES.map((aggregate) => `${aggregate}:`);

const isMetric = (metric: string): boolean =>
  metric === 'events' ||
  metric === 'uniques' ||
  MEASURE_PREFIXES.some((prefix) => metric.startsWith(prefix) && isPropertyKey(metric.slice(prefix.length)));

export const PROPERTY_KEY_RULE = `a key under ${ROOT_PREFIXES.join(', ')} of at most ${QUERY_V1_LIMITS.maxFieldKeyLength} characters`;

const fieldSchema = z
  .string()
  .refine(isField, `must be ${QUERY_STANDARD_FIELDS.join(', ')} or ${PROPERTY_KEY_RULE}`)
  .describe(`event, a standard dimension ($country, …) or a property key (properties.plan)`);

// No transform to narrow the type: it would hide the default of `metrics` from the
// JSON Schema. The query's transform narrows it.
const metricSchema = z
  .string()
  .refine(isMetric, `must be events, uniques or ${MEASURE_PREFIXES.join('/')} followed by ${PROPERTY_KEY_RULE}`)
  .describe('events, uniques, or sum:/avg:/min:/max: of a property key (sum:properties.revenue)');

const eventNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(QUERY_LIMITS.maxEventNameLength, `must be at most ${QUERY_LIMITS.maxEventNameLength} characters`);

/** Refuses the second and later copies of an item, naming each by its index. */
const distinct = (list: string) => (items: readonly string[], context: z.RefinementCtx) => {
  items.forEach((item, index) => {
    if (items.indexOf(item) !== index)
      context.addIssue({ code: 'custom', path: [index], message: `is already in ${list}` });
  });
};

const listOf = <T extends z.ZodType<string>>(item: T, list: string, min: number, max: number) =>
  z.array(item).min(min, `must hold at least ${min}`).max(max, `must hold at most ${max}`).superRefine(distinct(list));

const scalarSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a string, a number or a boolean',
});

const filterOn = <Op extends readonly [FilterOperator, ...FilterOperator[]], V extends z.ZodType>(ops: Op, value: V) =>
  z.strictObject({ field: fieldSchema, op: z.enum(ops), value });

/** One `{ field, op, value }`; values compare as canonical strings, range operators match numbers only (0009, section 5). */
const queryFilterV1Schema = z.discriminatedUnion(
  'op',
  [
    filterOn(['eq', 'neq'], scalarSchema),
    filterOn(
      ['in', 'not_in'],
      z
        .array(scalarSchema)
        .min(1, 'must hold at least 1 value')
        .max(QUERY_V1_LIMITS.maxFilterValues, `must hold at most ${QUERY_V1_LIMITS.maxFilterValues} values`),
    ),
    filterOn(
      ['contains', 'starts_with'],
      z
        .string({ error: 'must be a string' })
        .min(1, 'must not be empty')
        .max(QUERY_V1_LIMITS.maxFilterTextLength, `must be at most ${QUERY_V1_LIMITS.maxFilterTextLength} characters`),
    ),
    filterOn(['gt', 'gte', 'lt', 'lte'], z.number({ error: 'must be a finite number' })),
    // `value` is named, not left to strictness, so that the issue's path names it.
    z.strictObject({
      field: fieldSchema,
      op: z.literal('exists'),
      value: z.never({ error: 'exists takes no value' }).optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `must be one of ${FILTER_OPERATORS.join(', ')}`
        : 'must be an object { field, op, value }',
  },
);
export type QueryFilterV1 = z.output<typeof queryFilterV1Schema>;

/** What the question is, before the window and the order are resolved (built once: see the factory). */
const questionSchema = z.strictObject({
  from: instantSchema.optional().describe('Start, inclusive; without from/to, the last 24 h'),
  to: instantSchema.optional().describe('End, exclusive; the window is widened to whole minutes'),
  tz: timeZoneSchema.default('UTC').describe('The zone of the buckets'),
  interval: z
    .enum(QUERY_V1_INTERVALS, { error: `must be one of ${QUERY_V1_INTERVALS.join(', ')}` })
    .optional()
    .describe('Buckets in tz (week = ISO week); without it, no time breakdown'),
  events: listOf(eventNameSchema, 'events', 1, QUERY_V1_LIMITS.maxEvents)
    .optional()
    .describe('Only these counted event names; without it, all'),
  metrics: listOf(metricSchema, 'metrics', 1, QUERY_V1_LIMITS.maxMetrics).default(['events']),
  breakdown: listOf(fieldSchema, 'breakdown', 0, QUERY_V1_LIMITS.maxBreakdown).default([]),
  filters: z
    .array(queryFilterV1Schema)
    .max(QUERY_V1_LIMITS.maxFilters, `must hold at most ${QUERY_V1_LIMITS.maxFilters}`)
    .default([]),
  compare: z
    .literal('previous_period', { error: 'must be previous_period' })
    .optional()
    .describe(
      'Also answer the preceding window of the same length; with interval month over whole months in tz, as many calendar months before',
    ),
  order: z
    .string()
    .optional()
    .describe('[-]<metric> or [-]<breakdown field>; without it, the first metric, descending'),
  limit: z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(QUERY_V1_LIMITS.maxLimit, `must be at most ${QUERY_V1_LIMITS.maxLimit}`)
    .default(QUERY_V1_LIMITS.defaultLimit)
    .describe('Breakdown combinations listed; totals cover them all'),
  path: z
    .enum(QUERY_V1_PATHS, { error: `must be one of ${QUERY_V1_PATHS.join(', ')}` })
    .default('auto')
    .describe('Force the counters or a scan; 400 if the forced path cannot answer'),
});

export interface QueryOrderV1 {
  /** A requested metric or breakdown field. */
  readonly by: string;
  readonly descending: boolean;
}

const MINUTE_MS = 60_000;

/**
 * The body of `POST /v1/query`. Strict: an unknown field is a 400 naming it. The output
 * carries the resolved window, also as epoch minutes (`[startMinute, endMinute)`, `from`
 * rounded down and `to` up, as every route counts), and the resolved order. `now` is
 * injectable so tests can pin the default window.
 */
export const analyticsQueryV1Schema = (now: () => number = Date.now) =>
  questionSchema.transform((question, context) => {
    const windowed = resolveWindow(question, context, now);
    const order = orderOf(question, context);
    if (windowed === z.NEVER || order === undefined) return z.NEVER;
    return {
      ...windowed,
      metrics: windowed.metrics as QueryMetricV1[],
      startMinute: Math.floor(windowed.from.getTime() / MINUTE_MS),
      endMinute: Math.ceil(windowed.to.getTime() / MINUTE_MS),
      order,
    };
  });

export type AnalyticsQueryV1 = z.output<ReturnType<typeof analyticsQueryV1Schema>>;

/** `[-]name` as an order, if it names a requested metric or breakdown field. */
function orderOf(
  question: Pick<z.output<typeof questionSchema>, 'order' | 'metrics' | 'breakdown'>,
  context: z.RefinementCtx,
): QueryOrderV1 | undefined {
  const { order, metrics, breakdown } = question;
  if (order === undefined) return { by: metrics[0] as string, descending: true };
  const descending = order.startsWith('-');
  const by = descending ? order.slice(1) : order;
  const names: readonly string[] = [...metrics, ...breakdown];
  if (names.includes(by)) return { by, descending };
  context.addIssue({
    code: 'custom',
    path: ['order'],
    message: `must be one of ${names.join(', ')} (a requested metric or breakdown field), - first for descending`,
  });
  return undefined;
}

const answerInstant = z.iso.datetime();
const metricValues = z
  .record(z.string(), z.number().nullable())
  .describe('By metric; null where no event carried the measure (avg/min/max)');

const rowSchema = z.strictObject({
  dimensions: z
    .record(z.string(), z.string().nullable())
    .describe('By breakdown field, and `time` (the bucket start) with an interval; null is (none)'),
  metrics: metricValues,
});

/** The answer of `POST /v1/query`, checked on the way out. */
export const analyticsAnswerV1Schema = z.strictObject({
  from: answerInstant,
  to: answerInstant,
  tz: z.string(),
  interval: z.enum(QUERY_V1_INTERVALS).optional(),
  rows: z.array(rowSchema),
  totals: metricValues.describe('Over every combination, not only the listed rows; uniques is a union'),
  comparison: z
    .strictObject({ from: answerInstant, to: answerInstant, rows: z.array(rowSchema), totals: metricValues })
    .optional()
    .describe('The previous period, for the main rows’ combinations'),
  path: z.enum(['counters', 'scan']),
  reason: z.string().describe('Why this path answered'),
  freshness: z.strictObject({ newestEventAt: answerInstant.nullable() }),
  folded: z.array(z.string()).describe('Fields some of whose values were counted under (other)'),
  truncated: z.boolean().describe('There were more combinations than limit'),
});
export type AnalyticsAnswerV1 = z.output<typeof analyticsAnswerV1Schema>;
