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
const BUILT_IN_NAMES: ReadonlySet<string> = new Set(['$page', '$screen', '$identify', '$group', '$alias']);

export const isBuiltInName = (name: string): boolean => BUILT_IN_NAMES.has(name);

/**
 * The most entries (names, `(other)` included) one rollup keeps. A MongoDB document holds
 * at most 16 MB, and a rollup's sketch document carries one HyperLogLog per name, up to
 * 12,304 bytes each in Redis's dense encoding: 1,000 of them and their names (at most
 * 256 characters) stay under 14 MB. Without a bound, a tenant with enough distinct names
 * in one bucket (some 1,300 each seen by thousands of users, or some 60,000 long ones)
 * would have a rollup MongoDB refuses to store, run after run.
 */
export const MAX_NAMES_PER_ROLLUP = 1_000;

/**
 * The most distinct track-event names a tenant's events may be counted under: with the
 * built-in names and `(other)`, a rollup of one bucket then holds every name the tenant
 * has, so answers from rollups and from the live counters name the same events.
 */
export const MAX_TRACK_NAMES_PER_TENANT = MAX_NAMES_PER_ROLLUP - BUILT_IN_NAMES.size - 1;

/** Who an event is about, for unique-user counts: the user id when known, else the anonymous id. */
export function userKeyOf(event: SegmentEvent): string {
  return event.userId !== undefined ? `u:${event.userId}` : `a:${String(event.anonymousId)}`;
}
