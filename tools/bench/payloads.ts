import { randomUUID } from 'node:crypto';
import { EVENT_ENVELOPE_VERSION } from '@tally/contracts';

/** The event names `trackEvent` uses, in turn. */
export const EVENT_NAMES = ['Product Viewed', 'Button Clicked', 'Checkout Started'] as const;

/** A realistic Segment track event: SDK context, a few properties, ~450 bytes of JSON. */
export function trackEvent(seq: number): Record<string, unknown> {
  return {
    type: 'track',
    event: EVENT_NAMES[seq % EVENT_NAMES.length],
    userId: `user-${seq % 5000}`,
    messageId: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: { sku: `sku-${seq % 200}`, price: 19.99, currency: 'EUR', position: seq % 10 },
    context: {
      library: { name: 'tally-bench', version: '1.0.0' },
      page: { path: '/products/42', url: 'https://shop.example.com/products/42' },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      locale: 'en-GB',
    },
  };
}

export const batchBody = (events: number): string =>
  JSON.stringify({ batch: Array.from({ length: events }, (_, i) => trackEvent(i)), sentAt: new Date().toISOString() });

export const singleBody = (): string => {
  const { type: _type, ...event } = trackEvent(1);
  return JSON.stringify(event);
};

/**
 * `trackEvent(seq)` as ingest-api publishes it to Kafka: keyed by tenant + user, the
 * envelope's header (`receivedAt` also as the corrected event time) and then the event.
 */
export function trackEnvelope(tenantId: string, seq: number, receivedAt: string, requestId: string) {
  const event = trackEvent(seq) as { messageId: string; userId: string; timestamp: string };
  return {
    key: `${tenantId}:${event.userId}`,
    value: JSON.stringify({
      v: EVENT_ENVELOPE_VERSION,
      tenantId,
      messageId: event.messageId,
      receivedAt,
      originalTimestamp: event.timestamp,
      timestamp: receivedAt,
      requestId,
      event,
    }),
  };
}
