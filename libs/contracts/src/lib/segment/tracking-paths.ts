import { EVENT_TYPES, type EventType } from './segment-event.schema';

/**
 * The one-letter paths analytics.js posts single events to (`/v1/t` for a track call,
 * …), beside the full names every other library uses; `/v1/b` is its batch path.
 */
export const SHORT_EVENT_PATHS: Readonly<Record<string, EventType>> = {
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
};

/** The event type a `/v1/<segment>` path implies, by full or short name; undefined for any other path. */
export const eventTypeOfPath = (segment: string): EventType | undefined =>
  (EVENT_TYPES as readonly string[]).includes(segment)
    ? (segment as EventType)
    : Object.hasOwn(SHORT_EVENT_PATHS, segment)
      ? SHORT_EVENT_PATHS[segment]
      : undefined;
