import { correctedEventTime } from './event-time.util';

const receivedAt = new Date('2026-01-01T12:00:00.000Z');
const MAX_FUTURE = 60_000;

describe('correctedEventTime', () => {
  it('removes the client clock skew when the client says when it sent', () => {
    // The device clock is 2 h fast: it stamped the event 10 s before sending.
    const time = correctedEventTime(
      { receivedAt, sentAt: '2026-01-01T14:00:00.000Z', clientTimestamp: '2026-01-01T13:59:50.000Z' },
      MAX_FUTURE,
    );
    expect(time.toISOString()).toBe('2026-01-01T11:59:50.000Z');
  });

  it("uses the client's timestamp as is without sentAt", () => {
    const time = correctedEventTime({ receivedAt, clientTimestamp: '2026-01-01T09:00:00.000Z' }, MAX_FUTURE);
    expect(time.toISOString()).toBe('2026-01-01T09:00:00.000Z');
  });

  it('falls back to the receive time without a client timestamp', () => {
    expect(correctedEventTime({ receivedAt, sentAt: '2026-01-01T14:00:00.000Z' }, MAX_FUTURE)).toEqual(receivedAt);
  });

  it('clamps times far in the future to the receive time', () => {
    const time = correctedEventTime({ receivedAt, clientTimestamp: '2027-06-01T00:00:00.000Z' }, MAX_FUTURE);
    expect(time).toEqual(receivedAt);
    const nearFuture = correctedEventTime({ receivedAt, clientTimestamp: '2026-01-01T12:00:30.000Z' }, MAX_FUTURE);
    expect(nearFuture.toISOString()).toBe('2026-01-01T12:00:30.000Z');
  });
});
