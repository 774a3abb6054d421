import { z } from 'zod';
import { INGEST_LIMITS } from '../ingest-limits';
import { withoutAbsentFields } from './absent-fields.util';
import { clientTimestampSchema } from './client-timestamp';
import { isJsonObject, jsonObjectSchema } from './json-object.schema';

/**
 * Request bodies that carry several events. Events stay unparsed (`unknown`) here:
 * each is validated on its own so one bad event is reported by index while the rest
 * of the batch is accepted.
 */

const eventList = z
  .array(z.unknown())
  .min(1, 'must contain at least one event')
  .max(INGEST_LIMITS.maxBatchEvents, `must contain at most ${INGEST_LIMITS.maxBatchEvents} events`);

/**
 * `POST /v1/batch` (and analytics.js's `/v1/b`): `{ batch: [...] }` plus batch-level
 * fields merged into each event; `null` ones are absent and `writeKey` is dropped, as in
 * an event (`withoutAbsentFields`).
 */
export const segmentBatchSchema = z.preprocess(
  withoutAbsentFields,
  z.looseObject({
    batch: eventList,
    context: jsonObjectSchema.optional(),
    integrations: jsonObjectSchema.optional(),
    sentAt: clientTimestampSchema.optional(),
  }),
);

export type SegmentBatch = z.output<typeof segmentBatchSchema>;

/** `POST /ingestion` (the original endpoint): one event object or an array of them. */
export const ingestionBodySchema = z.union([eventList, jsonObjectSchema], {
  message: 'body must be an event object or an array of events',
});

/**
 * Batch-level `context` and `integrations` apply to every event; an event's own
 * values win key by key. `sentAt` of the batch stands for events without their own.
 */
export function mergeBatchFields(
  event: unknown,
  batch: Pick<SegmentBatch, 'context' | 'integrations' | 'sentAt'>,
): unknown {
  if (!isJsonObject(event)) return event;
  const merged: Record<string, unknown> = { ...event };
  if (batch.context) merged['context'] = { ...batch.context, ...asDictionary(event['context']) };
  if (batch.integrations) merged['integrations'] = { ...batch.integrations, ...asDictionary(event['integrations']) };
  if (batch.sentAt && event['sentAt'] === undefined) merged['sentAt'] = batch.sentAt;
  return merged;
}

const asDictionary = (value: unknown): Record<string, unknown> => (isJsonObject(value) ? value : {});
