import { z } from 'zod';
import { INGEST_LIMITS } from '../ingest-limits';
import { withoutAbsentFields } from './absent-fields.util';
import { clientTimestampSchema } from './client-timestamp';
import { jsonObjectSchema } from './json-object.schema';
import { jsonValueProblem } from './json-value-problem.util';

/**
 * The Segment Tracking API event types (spec: "common fields", track, identify, page,
 * screen, group, alias). Unknown fields are kept (`looseObject`): SDKs add fields over
 * time and tenants put their own at the top level; dropping them would lose data.
 */

/** Segment ids are strings; some SDKs send numbers. Both become a non-empty string. */
const idOf = (whenMissing: string) =>
  z
    .union([z.string(), z.number().finite()], {
      error: (issue) => (issue.input === undefined ? whenMissing : 'must be a string or a number'),
    })
    .transform((v) => String(v))
    .pipe(z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'));
const idField = idOf('is required');

const timestampField = clientTimestampSchema;

const commonFields = {
  messageId: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
  userId: idField.optional(),
  anonymousId: idField.optional(),
  timestamp: timestampField.optional(),
  originalTimestamp: timestampField.optional(),
  sentAt: timestampField.optional(),
  receivedAt: timestampField.optional(),
  context: jsonObjectSchema.optional(),
  integrations: jsonObjectSchema.optional(),
  version: z.union([z.number(), z.string()]).optional(),
  channel: z.string().optional(),
};

/** Every event names who did it: a user id, an anonymous id, or both. */
const requireIdentity = <T extends { userId?: string | undefined; anonymousId?: string | undefined }>(e: T) =>
  e.userId !== undefined || e.anonymousId !== undefined;
const IDENTITY_RULE = { message: 'every event needs userId or anonymousId', path: ['userId'] };

export const trackEventSchema = z
  .looseObject({
    ...commonFields,
    type: z.literal('track'),
    event: z
      .string({
        error: (issue) => (issue.input === undefined ? 'track events need an event name' : 'must be a string'),
      })
      .min(1, 'track events need an event name')
      .max(256, 'must be at most 256 characters'),
    properties: jsonObjectSchema.optional(),
  })
  .refine(requireIdentity, IDENTITY_RULE);

export const identifyEventSchema = z
  .looseObject({ ...commonFields, type: z.literal('identify'), traits: jsonObjectSchema.optional() })
  .refine(requireIdentity, IDENTITY_RULE);

export const pageEventSchema = z
  .looseObject({
    ...commonFields,
    type: z.literal('page'),
    name: z.string().max(256).optional(),
    category: z.string().max(256).optional(),
    properties: jsonObjectSchema.optional(),
  })
  .refine(requireIdentity, IDENTITY_RULE);

export const screenEventSchema = z
  .looseObject({
    ...commonFields,
    type: z.literal('screen'),
    name: z.string().max(256).optional(),
    category: z.string().max(256).optional(),
    properties: jsonObjectSchema.optional(),
  })
  .refine(requireIdentity, IDENTITY_RULE);

export const groupEventSchema = z
  .looseObject({
    ...commonFields,
    type: z.literal('group'),
    groupId: idOf('group events need a groupId'),
    traits: jsonObjectSchema.optional(),
  })
  .refine(requireIdentity, IDENTITY_RULE);

export const aliasEventSchema = z
  .looseObject({
    ...commonFields,
    type: z.literal('alias'),
    previousId: idOf('alias events need a previousId'),
  })
  .refine(requireIdentity, IDENTITY_RULE);

export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Any event, by its type. `null` optional fields are absent and `writeKey` is dropped
 * (`withoutAbsentFields`). The whole event, unknown fields included, must also be JSON
 * that every later step can carry as it came: bounded nesting, finite numbers,
 * well-formed Unicode (`jsonValueProblem`). Checked here, so ingest-api refuses such an
 * event by its index and the worker, parsing the envelope with this same schema,
 * dead-letters one that reached Kafka some other way instead of failing on it.
 */
export const segmentEventSchema = z.preprocess(
  withoutAbsentFields,
  z
    .discriminatedUnion(
      'type',
      [trackEventSchema, identifyEventSchema, pageEventSchema, screenEventSchema, groupEventSchema, aliasEventSchema],
      { message: `type must be one of ${EVENT_TYPES.join(', ')}` },
    )
    .superRefine((event, context) => {
      const problem = jsonValueProblem(event, INGEST_LIMITS.maxEventDepth);
      if (problem) context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }),
);

export type SegmentEvent = z.output<typeof segmentEventSchema>;
export type TrackEvent = z.output<typeof trackEventSchema>;

/** The schema of one event type, for the per-type endpoints (`/v1/track`, …). */
export const EVENT_SCHEMAS = {
  track: trackEventSchema,
  identify: identifyEventSchema,
  page: pageEventSchema,
  screen: screenEventSchema,
  group: groupEventSchema,
  alias: aliasEventSchema,
} as const satisfies Record<EventType, z.ZodType>;
