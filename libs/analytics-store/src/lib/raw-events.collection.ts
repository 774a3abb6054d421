import type { TenantId } from '@tally/tenant-scope';
import type { StoredFields } from './event-fields/stored-fields.codec';

/** MongoDB collection of every event processed, once per tenant + messageId. */
export const RAW_EVENTS_COLLECTION = 'events';

/** The shape the worker writes today (0009 section 1); documents without `v` are version 1. */
export const RAW_EVENT_VERSION = 2;

/** What every raw event document holds, whatever its version. */
interface RawEventFields {
  readonly _id: string;
  readonly tenantId: TenantId;
  /** What the event is counted under (`countedNameOf`, after the tenant's name bound). */
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
  /** The Segment event as JSON text, verbatim: the durable record. */
  readonly payload: string;
}

/**
 * One processed event, as the worker stores it. The `_id` is the deduplication key, so a
 * second copy of an event is refused by the store itself; `src` names the Kafka message
 * that first stored it, which is how a redelivery of that same message is told apart
 * from a duplicate.
 *
 * Properties, traits and context stay in the payload as JSON text, and their scalar
 * leaves and the standard dimensions are repeated as `key=value` entries (`eventFieldsOf`)
 * in `props`, numeric leaves also in `nums`, each list one text (`storedFields`):
 * property names may contain `.` or start with `$`, which FerretDB refuses as field
 * names, so keys are values here (docs/decisions/0009-analytics-as-data.md).
 */
export interface RawEventDocument extends RawEventFields, StoredFields {
  readonly v: typeof RAW_EVENT_VERSION;
}

/** A document written before version 2: its fields are in its payload only (`rawEventFieldsOf`). */
export interface RawEventDocumentV1 extends RawEventFields {
  readonly v?: undefined;
}

/** What a reader of the collection may meet: readers decode both shapes. */
export type StoredRawEvent = RawEventDocument | RawEventDocumentV1;

export const rawEventId = (tenantId: TenantId, messageId: string): string => `${tenantId}:${messageId}`;

/**
 * Created by the apps; used by real MongoDB, ignored by FerretDB (0009 section 1).
 * Rollup recounts read one tenant's minute, scans one tenant's window: equality on the
 * tenant, then a range of minutes.
 */
export const RAW_EVENTS_INDEXES = [{ key: { tenantId: 1, minute: 1 }, name: 'tenant_minute' }] as const;
