import type { TenantId } from '@tally/tenancy';

/** MongoDB collection of every event processed, once per tenant + messageId. */
export const RAW_EVENTS_COLLECTION = 'events';

/**
 * One processed event. The `_id` is the deduplication key, so a second copy of an event
 * is refused by the store itself; `src` names the Kafka message that first stored it,
 * which is how a redelivery of that same message is told apart from a duplicate.
 *
 * The Segment payload is kept verbatim as JSON text: property names may contain `.` or
 * start with `$`, which FerretDB (and older MongoDB) refuse as field names; and storing
 * one string instead of a nested document halves FerretDB's cost per event
 * (docs/decisions/0005-processing.md). The few fields beside it are what rollups group
 * on; each field costs FerretDB time per event, so nothing derivable from `_id` or the
 * payload is repeated.
 */
export interface RawEventDocument {
  readonly _id: string;
  readonly tenantId: TenantId;
  /** What the event is counted under (`countedNameOf`). */
  readonly name: string;
  /** `u:<userId>` or `a:<anonymousId>` (`userKeyOf`). */
  readonly userKey: string;
  /** Event time after skew correction. */
  readonly timestamp: Date;
  /** Minute bucket of `timestamp` (`bucketOf(…, 'minute')`). */
  readonly minute: number;
  readonly receivedAt: Date;
  /** `<topic>/<partition>/<offset>` of the message that stored it. */
  readonly src: string;
  /** The Segment event as JSON text. */
  readonly payload: string;
}

export const rawEventId = (tenantId: TenantId, messageId: string): string => `${tenantId}:${messageId}`;

/** Rollups read one tenant's minute at a time: an equality match on both fields. */
export const RAW_EVENTS_INDEXES = [{ key: { tenantId: 1, minute: 1 }, name: 'tenant_minute' }] as const;
