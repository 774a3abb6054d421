import type { SegmentEvent } from '@tally/contracts';

/**
 * The name an event is counted under: a track event's own name; other calls count as
 * `$` + their type (`$page`, `$identify`, …), the way analytics tools list them beside
 * custom events.
 */
export function countedNameOf(event: SegmentEvent): string {
  return event.type === 'track' ? event.event : `$${event.type}`;
}

/**
 * What a tenant's track events are counted under once it has as many distinct names as
 * it may have: every counter, rollup and answer stays bounded, and totals stay exact.
 * The raw event keeps its own name.
 */
export const OTHER_EVENT_NAME = '(other)';

/** Names every tenant has without counting against its bound: the `$` names of the non-track calls. */
export const isBuiltInName = (name: string): boolean =>
  name === '$page' || name === '$screen' || name === '$identify' || name === '$group' || name === '$alias';

/** Who an event is about, for unique-user counts: the user id when known, else the anonymous id. */
export function userKeyOf(event: SegmentEvent): string {
  return event.userId !== undefined ? `u:${event.userId}` : `a:${String(event.anonymousId)}`;
}
