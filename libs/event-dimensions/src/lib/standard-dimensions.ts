import type { SegmentEvent } from '@tally/contracts';
import { countryCodeOf } from './country-code';
import { boundedTextOf } from './bounded-text.util';
import { setPresent, type DimensionsDraft } from './dimensions-draft';
import { addPageDimensions } from './page-dimensions';
import { recordAt } from './record.util';
import { addUserAgentDimensions } from './user-agent-dimensions';

/** The dimensions every event has, whatever the tenant declares, by the names queries use. */
export const STANDARD_DIMENSIONS = [
  'event',
  '$path',
  '$referrer_host',
  '$utm_source',
  '$utm_medium',
  '$utm_campaign',
  '$browser',
  '$os',
  '$device',
  '$country',
  '$library',
] as const satisfies readonly (keyof DimensionsDraft)[];
export type StandardDimension = (typeof STANDARD_DIMENSIONS)[number];

/**
 * The version of the derivation. Standard dimensions are derived once, when the worker
 * stores an event, and never again at query time (0009), so an event keeps the values of
 * the version that stored it. Raise this with any change that gives another value for the
 * same event — a rule here, a Bowser upgrade that names a browser differently (Bowser is
 * pinned, and the spec's user-agent table fails on such a change) — so stored events can
 * say which rules made their values.
 */
export const STANDARD_DIMENSIONS_VERSION = 1;

/**
 * An event's standard dimensions. Every event has a name; a dimension the event says
 * nothing of is absent (never `""` nor `undefined`), and every other value is bounded
 * and printable (`boundedTextOf`).
 */
export type StandardDimensions = Readonly<DimensionsDraft>;

const NO_CONTEXT: Record<string, unknown> = Object.freeze({});

/**
 * The standard dimensions of a validated event. Pure, and cheap enough to run on every
 * event the worker processes (parsed user agents are cached; docs/decisions/0008).
 */
export function standardDimensionsOf(event: SegmentEvent): StandardDimensions {
  const context = event.context ?? NO_CONTEXT;
  const draft: DimensionsDraft = { event: eventNameOf(event) };
  addPageDimensions(draft, event);
  addUserAgentDimensions(draft, context);
  setPresent(draft, '$country', countryCodeOf(recordAt(context, 'location')?.['country']));
  setPresent(draft, '$library', boundedTextOf(recordAt(context, 'library')?.['name']));
  return draft;
}

/**
 * A track event's own name; other calls `$` + their type (`$page`, `$screen`,
 * `$identify`, `$group`, `$alias`). These are the names the counters already count
 * events under (`countedNameOf` in analytics-store), so a breakdown by `event` and the
 * per-name counts name the same events alike — PostHog's `$pageview` would list page
 * views twice under two names. The name is kept as it came (the contract bounds it to
 * 256 characters), not cleaned like the other values, for the same reason. It is the
 * name before the tenant's bound on distinct names: where that bound folds a name into
 * `(other)`, the worker stores and counts the folded name (0009).
 */
export function eventNameOf(event: SegmentEvent): string {
  return event.type === 'track' ? event.event : `$${event.type}`;
}
