import { randomUUID } from 'node:crypto';
import {
  EVENT_ENVELOPE_VERSION,
  type EventEnvelopeHeaderV1,
  INGEST_LIMITS,
  describeIssues,
  parseClientInstant,
  segmentEventSchema,
  summariseProblems,
} from '@tally/contracts';
import { correctedEventTime } from './event-time.util';
import type { RejectReason } from './ingest.metrics';
import type { RejectedEvent } from './ingest-report';

export interface NormalizeContext {
  readonly tenantId: string;
  readonly receivedAt: Date;
  readonly requestId: string;
  readonly maxFutureSkewMs: number;
  /** Events whose (corrected) time is older than receipt − this are refused: a tenant's bound on the past. */
  readonly maxEventAgeMs: number;
}

/** An accepted event, ready for Kafka: its partition key and its serialised envelope. */
export interface OutgoingEvent {
  readonly messageId: string;
  readonly key: string;
  readonly value: string;
}

export interface NormalizedBatch {
  readonly accepted: OutgoingEvent[];
  readonly rejected: (RejectedEvent & { readonly code: RejectReason })[];
}

/**
 * Turns raw events into serialised, versioned envelopes, one at a time, so a bad event
 * is reported by its index while the others go through. The event is parsed with the
 * shared contract; the envelope's other fields are built from it and the server's clock,
 * typed by their contract, so what leaves is what the worker's parse of the whole
 * envelope accepts. Each event is serialised once: the same string is measured against
 * the size limit and spliced into the envelope (this path runs for every event at tens
 * of thousands per second).
 */
export function normalizeEvents(rawEvents: readonly unknown[], context: NormalizeContext): NormalizedBatch {
  const accepted: OutgoingEvent[] = [];
  const rejected: NormalizedBatch['rejected'] = [];
  const receivedAt = context.receivedAt.toISOString();

  rawEvents.forEach((raw, index) => {
    const givenId = messageIdOf(raw);
    const parsed = segmentEventSchema.safeParse(raw);
    if (!parsed.success) {
      rejected.push({
        index,
        messageId: givenId,
        code: 'invalid',
        reason: summariseProblems(describeIssues(parsed.error)),
      });
      return;
    }
    const messageId = parsed.data.messageId ?? randomUUID();
    const event = { ...parsed.data, messageId };
    const eventJson = JSON.stringify(event);
    const size = Buffer.byteLength(eventJson, 'utf8');
    if (size > INGEST_LIMITS.maxEventBytes) {
      rejected.push({
        index,
        messageId: givenId,
        code: 'too_large',
        reason: `event is ${size} bytes; the limit is ${INGEST_LIMITS.maxEventBytes}`,
      });
      return;
    }
    const clientTimestamp = event.originalTimestamp ?? event.timestamp;
    const eventTime = correctedEventTime(
      { receivedAt: context.receivedAt, sentAt: event.sentAt, clientTimestamp },
      context.maxFutureSkewMs,
    );
    if (context.receivedAt.getTime() - eventTime.getTime() > context.maxEventAgeMs) {
      const days = Math.round(context.maxEventAgeMs / 86_400_000);
      rejected.push({
        index,
        messageId: givenId,
        code: 'out_of_range',
        reason: `event time ${eventTime.toISOString()} is more than ${days} days before it was received (the limit is ${days} days)`,
      });
      return;
    }
    // Built, not parsed: its instants come from toISOString (the client's, in whichever
    // ISO-8601 form its library wrote, as the instant they name), so they pass the
    // envelope's own check (normalize-events.spec parses whole envelopes).
    const header: EventEnvelopeHeaderV1 = {
      v: EVENT_ENVELOPE_VERSION,
      tenantId: context.tenantId,
      messageId,
      receivedAt,
      ...(event.sentAt ? { sentAt: canonicalInstant(event.sentAt) } : {}),
      ...(clientTimestamp ? { originalTimestamp: canonicalInstant(clientTimestamp) } : {}),
      timestamp: eventTime.toISOString(),
      requestId: context.requestId,
    };
    const headerJson = JSON.stringify(header);
    accepted.push({
      messageId,
      // Keyed by tenant + user: one user's events stay in order on one partition, users spread over all.
      key: `${context.tenantId}:${event.userId ?? event.anonymousId ?? ''}`,
      value: `${headerJson.slice(0, -1)},"event":${eventJson}}`,
    });
  });
  return { accepted, rejected };
}

/** A client timestamp the schema accepted, as the instant it names. */
const canonicalInstant = (text: string): string => new Date(parseClientInstant(text)).toISOString();

function messageIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as Record<string, unknown>)['messageId'];
  return typeof id === 'string' ? id : null;
}
