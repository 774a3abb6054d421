import { parseClientInstant } from '@tally/contracts';

/**
 * The time an event happened, corrected for the client's clock. A device clock can be
 * off by hours; `sentAt` was stamped by the same clock just before sending, so the
 * difference `sentAt − originalTimestamp` is a true duration, and the server's
 * `receivedAt` minus that duration is the event time in server time.
 */
export interface EventClock {
  readonly receivedAt: Date;
  readonly sentAt?: string | undefined;
  /** The client's own event time (`originalTimestamp`, else `timestamp`). */
  readonly clientTimestamp?: string | undefined;
}

export function correctedEventTime(clock: EventClock, maxFutureMs: number): Date {
  const received = clock.receivedAt.getTime();
  const client = clock.clientTimestamp === undefined ? NaN : parseClientInstant(clock.clientTimestamp);
  const sent = clock.sentAt === undefined ? NaN : parseClientInstant(clock.sentAt);
  let eventTime = received;
  if (Number.isFinite(client)) eventTime = Number.isFinite(sent) ? received - (sent - client) : client;
  // A time in the future is a broken clock, not an event: it would land in buckets nobody has reached yet.
  if (eventTime > received + maxFutureMs) eventTime = received;
  return new Date(eventTime);
}
