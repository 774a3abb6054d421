import type { SegmentEvent } from '@tally/contracts';

/**
 * The name an event is counted under: a track event's own name; other calls count as
 * `$` + their type (`$page`, `$identify`, …), the way analytics tools list them beside
 * custom events.
 */
export function countedNameOf(event: SegmentEvent): string {
  return event.type === 'track' ? event.event : `$${event.type}`;
}

/** Who an event is about, for unique-user counts: the user id when known, else the anonymous id. */
export function userKeyOf(event: SegmentEvent): string {
  return event.userId !== undefined ? `u:${event.userId}` : `a:${String(event.anonymousId)}`;
}
