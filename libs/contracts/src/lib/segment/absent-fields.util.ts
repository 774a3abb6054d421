import { isJsonObject } from './json-object.schema';

/**
 * Optional fields of the Tracking API that maintained libraries send as `null` when they
 * have no value: Segment's Python library sends `"anonymousId": null` beside a userId,
 * others `"context": null` or `"sentAt": null`. Segment reads them as absent, and so
 * does Tally — refusing them would lose every event such a library sends (none of them
 * retries a 400). A `null` in a required field (`event`, `groupId`, `previousId`) stays,
 * and is refused with its reason.
 */
const NULLABLE_FIELDS: ReadonlySet<string> = new Set([
  'messageId',
  'userId',
  'anonymousId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'context',
  'integrations',
  'properties',
  'traits',
  'name',
  'category',
  'version',
  'channel',
]);

/**
 * Fields that never travel on: `writeKey` is a secret (analytics.js puts it in every
 * event's body) and must not be stored in Kafka or MongoDB.
 */
const DROPPED_FIELDS: ReadonlySet<string> = new Set(['writeKey']);

/**
 * The event (or batch wrapper) without its `null` optional fields and without the
 * fields that never travel on. Returns the same object when there is nothing to drop —
 * the usual case, and this runs for every event.
 */
export function withoutAbsentFields(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (DROPPED_FIELDS.has(key) || (value[key] === null && NULLABLE_FIELDS.has(key))) {
      copy ??= { ...value };
      delete copy[key];
    }
  }
  return copy ?? value;
}
