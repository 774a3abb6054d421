import type { SegmentEvent } from '@tally/contracts';
import type { StandardDimensions } from '@tally/event-dimensions';
import { eventFieldsOf } from '../event-fields/event-fields';
import type { FoldableEvent } from './foldable-event';

/** What an event of a spec holds: its roots as JSON, and the standard dimensions it was given. */
export interface EventShape {
  readonly name?: string;
  readonly userKey?: string;
  readonly at?: string | number;
  readonly receivedAt?: string | number;
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly standard?: Omit<StandardDimensions, 'event'>;
}

const instant = (at: string | number): number => (typeof at === 'number' ? at : Date.parse(at));

/**
 * An event as the scan reads it, with `props` and `nums` built by `eventFieldsOf`, the
 * worker's own function: so a spec's events are stored the way real ones are (sorted,
 * escaped keys, canonical values), not the way the spec thinks they are.
 */
export function foldableEvent(shape: EventShape = {}): FoldableEvent {
  const { name = 'Signed Up', userKey = 'u:1', at = '2026-11-28T12:00:00Z' } = shape;
  const roots = { properties: shape.properties, traits: shape.traits, context: shape.context };
  const { props, nums } = eventFieldsOf(roots as unknown as SegmentEvent, { event: name, ...shape.standard });
  return { name, userKey, timestampMs: instant(at), receivedAtMs: instant(shape.receivedAt ?? at), props, nums };
}
