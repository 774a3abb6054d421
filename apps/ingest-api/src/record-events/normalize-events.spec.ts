import { eventEnvelopeV1Schema, segmentEventSchema } from '@tally/contracts';
import { normalizeEvents } from './normalize-events';

const context = {
  tenantId: 't_aaaaaaaaaaaaaaaaaaaa',
  receivedAt: new Date('2026-01-01T12:00:00.000Z'),
  requestId: 'req-1',
  maxFutureSkewMs: 60_000,
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
});
