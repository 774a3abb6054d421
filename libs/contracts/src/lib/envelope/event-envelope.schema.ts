import { z } from 'zod';
import { segmentEventSchema } from '../segment/segment-event.schema';

/**
 * What ingest-api puts on the events topic and processor-worker takes off it. The
 * version is part of the message so a consumer can refuse (dead-letter) a shape it
 * does not know instead of misreading it.
 */
export const EVENT_ENVELOPE_VERSION = 1;

const instant = z.iso.datetime({ offset: true });

/** Everything of the envelope but the event: what ingest-api checks after parsing the event itself. */
export const eventEnvelopeHeaderV1Schema = z.object({
  v: z.literal(EVENT_ENVELOPE_VERSION),
  tenantId: z.string().min(1),
  messageId: z.string().min(1).max(256),
  /** Server time at ingest-api. */
  receivedAt: instant,
  /** Client's send time (batch or event `sentAt`), if it said. */
  sentAt: instant.optional(),
  /** Client's own event time, as it said. */
  originalTimestamp: instant.optional(),
  /** Event time after clock-skew correction: what every time bucket uses. */
  timestamp: instant,
  /** Request id at ingest, to follow one event across services. */
  requestId: z.string().max(128).optional(),
});

export const eventEnvelopeV1Schema = eventEnvelopeHeaderV1Schema.extend({ event: segmentEventSchema });

export type EventEnvelopeHeaderV1 = z.output<typeof eventEnvelopeHeaderV1Schema>;
export type EventEnvelopeV1 = z.output<typeof eventEnvelopeV1Schema>;
