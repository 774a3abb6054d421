import { eventEnvelopeV1Schema, segmentEventSchema } from '@tally/contracts';
import { normalizeEvents } from './normalize-events';

const context = {
  tenantId: 't_aaaaaaaaaaaaaaaaaaaa',
  receivedAt: new Date('2026-01-01T12:00:00.000Z'),
  requestId: 'req-1',
  maxFutureSkewMs: 60_000,
  maxEventAgeMs: 400 * 86_400_000,
};

describe('normalizeEvents', () => {
  it('produces envelopes the worker-side contract accepts, with the event intact', () => {
    const event = { type: 'track', event: 'Signed Up', userId: 'u1', properties: { plan: 'pro' }, custom: 1 };
    const { accepted, rejected } = normalizeEvents([event], context);
    expect(rejected).toEqual([]);
    const envelope = eventEnvelopeV1Schema.parse(JSON.parse(accepted[0]?.value ?? ''));
    expect(envelope).toMatchObject({ v: 1, tenantId: context.tenantId, requestId: 'req-1', event: { ...event } });
    expect(envelope.event.messageId).toBe(accepted[0]?.messageId);
    expect(segmentEventSchema.parse(envelope.event)).toEqual(envelope.event);
    expect(accepted[0]?.key).toBe(`${context.tenantId}:u1`);
  });

  it('keeps a given messageId and generates one when absent', () => {
    const { accepted } = normalizeEvents(
      [
        { type: 'identify', userId: 'u', messageId: 'given' },
        { type: 'identify', userId: 'u' },
      ],
      context,
    );
    expect(accepted[0]?.messageId).toBe('given');
    expect(accepted[1]?.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports each bad event by index with its reason and keeps the good ones', () => {
    const huge = {
      type: 'track',
      event: 'big',
      userId: 'u',
      messageId: 'm-big',
      properties: { x: 'y'.repeat(40_000) },
    };
    const { accepted, rejected } = normalizeEvents(
      [{ type: 'track', userId: 'u' }, huge, { type: 'page', anonymousId: 'a' }],
      context,
    );
    expect(accepted).toHaveLength(1);
    expect(rejected).toEqual([
      { index: 0, messageId: null, code: 'invalid', reason: 'event: track events need an event name' },
      { index: 1, messageId: 'm-big', code: 'too_large', reason: expect.stringContaining('the limit is 32768') },
    ]);
  });

  it('carries what real libraries send: null fields absent, their timestamp forms, no writeKey', () => {
    const { accepted, rejected } = normalizeEvents(
      [
        {
          type: 'track',
          event: 'Python',
          userId: 'u1',
          anonymousId: null,
          writeKey: 'tly_w_secret',
          timestamp: '2026-01-01T12:59:00.123456+01:00',
          sentAt: '2026-01-01T12:59:30+0100',
        },
      ],
      context,
    );
    expect(rejected).toEqual([]);
    const value = accepted[0]?.value ?? '';
    expect(value).not.toContain('tly_w_secret');
    const envelope = eventEnvelopeV1Schema.parse(JSON.parse(value));
    expect(envelope.event).not.toHaveProperty('anonymousId');
    // The client's own fields as it wrote them; the envelope's instants canonical.
    expect(envelope.event.timestamp).toBe('2026-01-01T12:59:00.123456+01:00');
    expect(envelope.originalTimestamp).toBe('2026-01-01T11:59:00.123Z');
    expect(envelope.sentAt).toBe('2026-01-01T11:59:30.000Z');
    // Sent 29.877 s after it happened, by the client's clock: that long before it was received.
    expect(envelope.timestamp).toBe('2026-01-01T11:59:30.123Z');
  });

  it('refuses events older than the bound on the past, with the reason', () => {
    const { accepted, rejected } = normalizeEvents(
      [
        { type: 'track', event: 'ancient', userId: 'u', timestamp: '0001-01-01T00:00:00Z' },
        { type: 'track', event: 'last year', userId: 'u', timestamp: '2025-01-01T12:00:00Z' },
      ],
      context,
    );
    expect(accepted).toHaveLength(1);
    expect(rejected).toEqual([
      {
        index: 0,
        messageId: null,
        code: 'out_of_range',
        reason:
          'event time 0001-01-01T00:00:00.000Z is more than 400 days before it was received (the limit is 400 days)',
      },
    ]);
  });

  it('refuses an event the pipeline cannot carry: a lone surrogate in its name', () => {
    const { rejected } = normalizeEvents([JSON.parse('{"type":"track","event":"x\\ud800","userId":"u"}')], context);
    expect(rejected[0]).toMatchObject({ code: 'invalid', reason: expect.stringContaining('not valid Unicode') });
  });
});
