import { randomUUID } from 'node:crypto';
import {
  EVENT_ENVELOPE_VERSION,
  INGEST_LIMITS,
  describeIssues,
  eventEnvelopeV1Schema,
  segmentEventSchema,
  summariseProblems,
  type EventEnvelopeV1,
} from '@tally/contracts';
import { correctedEventTime } from './event-time.util';
import type { RejectReason } from './ingest.metrics';
import type { RejectedEvent } from './ingest-report';

export interface NormalizeContext {
  readonly tenantId: string;
  readonly receivedAt: Date;
  readonly requestId: string;
  readonly maxFutureSkewMs: number;
}

export interface NormalizedBatch {
  readonly envelopes: EventEnvelopeV1[];
  readonly rejected: (RejectedEvent & { readonly code: RejectReason })[];
}

/**
 * Turns raw events into versioned envelopes, one at a time, so a bad event is
 * reported by its index while the others go through. Each envelope is parsed with
 * the shared contract on the way out, exactly as the worker will parse it on the
 * way in.
 */
export function normalizeEvents(rawEvents: readonly unknown[], context: NormalizeContext): NormalizedBatch {
  const envelopes: EventEnvelopeV1[] = [];
  const rejected: NormalizedBatch['rejected'] = [];
  const receivedAt = context.receivedAt.toISOString();

  rawEvents.forEach((raw, index) => {
    const givenId = messageIdOf(raw);
    const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
    if (size > INGEST_LIMITS.maxEventBytes) {
      rejected.push({
        index,
        messageId: givenId,
        code: 'too_large',
        reason: `event is ${size} bytes; the limit is ${INGEST_LIMITS.maxEventBytes}`,
      });
      return;
    }
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
    const event = parsed.data;
    const messageId = event.messageId ?? randomUUID();
    const clientTimestamp = event.originalTimestamp ?? event.timestamp;
    const envelope = eventEnvelopeV1Schema.parse({
      v: EVENT_ENVELOPE_VERSION,
      tenantId: context.tenantId,
      messageId,
      receivedAt,
      ...(event.sentAt ? { sentAt: event.sentAt } : {}),
      ...(clientTimestamp ? { originalTimestamp: clientTimestamp } : {}),
      timestamp: correctedEventTime(
        { receivedAt: context.receivedAt, sentAt: event.sentAt, clientTimestamp },
        context.maxFutureSkewMs,
      ).toISOString(),
      requestId: context.requestId,
      event: { ...event, messageId },
    });
    envelopes.push(envelope);
  });
  return { envelopes, rejected };
}

function messageIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as Record<string, unknown>)['messageId'];
  return typeof id === 'string' ? id : null;
}
