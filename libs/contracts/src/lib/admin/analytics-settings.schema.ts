import { z } from 'zod';
import { PROPERTY_KEY_RULE, QUERY_STANDARD_FIELDS, isPropertyKey } from '../analytics/analytics-query-v1.schema';

/** What one tenant may have counted in real time besides event names (0009 section 2). */
export const ANALYTICS_SETTINGS_LIMITS = {
  /** Declared dimensions counting at a time. */
  maxDimensions: 5,
  /** Declared measures counting at a time. */
  maxMeasures: 3,
} as const;

/**
 * Fields that name a person, never counted: counters and rollups hold aggregates keyed by
 * dimension values, which a per-user deletion could not reach. analytics.js copies
 * identify traits into every event's `context.traits`, so those are listed too. Raw
 * events keep them (their payload and `props`), which a per-user deletion removes.
 */
export const IDENTITY_FIELDS = [
  'traits.email',
  'traits.phone',
  'traits.name',
  'traits.firstName',
  'traits.lastName',
  'traits.address',
  'context.traits.email',
  'context.traits.phone',
  'context.traits.name',
  'context.traits.firstName',
  'context.traits.lastName',
  'context.traits.address',
  'context.ip',
] as const;

const IDENTITY: ReadonlySet<string> = new Set(IDENTITY_FIELDS);
const STANDARD: ReadonlySet<string> = new Set(QUERY_STANDARD_FIELDS);

/** The rule a declared field breaks, if any. */
function declaredFieldProblem(field: string): string | undefined {
  if (STANDARD.has(field)) return 'is a standard dimension, counted already; declare only event properties';
  if (!isPropertyKey(field)) return `must be ${PROPERTY_KEY_RULE}`;
  const identity = IDENTITY_FIELDS.find((f) => field === f || field.startsWith(`${f}.`));
  if (identity !== undefined || IDENTITY.has(field)) {
    return `names a person (${identity ?? field}): identifying fields are never counted`;
  }
  return undefined;
}

const declaredField = z.string({ error: 'must be a string' }).superRefine((field, context) => {
  const problem = declaredFieldProblem(field);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

const declaredList = (list: string, max: number) =>
  z
    .array(declaredField)
    .max(max, `must hold at most ${max} (the fields counted in real time at a time)`)
    .superRefine((fields, context) => {
      fields.forEach((field, index) => {
        if (fields.indexOf(field) !== index) {
          context.addIssue({ code: 'custom', path: [index], message: `is already in ${list}` });
        }
      });
    });

/**
 * `PUT /admin/tenants/:id/analytics`: the whole list of declared dimensions (event
 * properties a tenant breaks down by) and measures (numeric properties it sums). Strict;
 * the same list sent again changes nothing. Whether the worker stores a field at all (the
 * field codec's spelling, its depth) is checked by `AnalyticsSettingsAdmin`, which owns the
 * codec: this library is below it.
 */
export const analyticsSettingsRequestV1Schema = z.strictObject({
  dimensions: declaredList('dimensions', ANALYTICS_SETTINGS_LIMITS.maxDimensions)
    .default([])
    .describe('Event properties counted per value in real time, e.g. properties.plan'),
  measures: declaredList('measures', ANALYTICS_SETTINGS_LIMITS.maxMeasures)
    .default([])
    .describe('Numeric event properties summed in real time, e.g. properties.revenue'),
});
export type AnalyticsSettingsRequestV1 = z.output<typeof analyticsSettingsRequestV1Schema>;
