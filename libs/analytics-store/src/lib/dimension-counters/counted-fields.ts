import { STANDARD_DIMENSIONS } from '@tally/event-dimensions';
import type { AnalyticsSettingsDocument, CountingPeriod } from '../settings/analytics-settings.document';
import { EVENT_DIMENSION } from './dimension-keys';

/** The standard dimensions counted by the one `standard` switch: all but `event`, which the name counters count. */
export const COUNTED_STANDARD_DIMENSIONS: readonly string[] = STANDARD_DIMENSIONS.filter((d) => d !== EVENT_DIMENSION);

/** What the worker counts of one event besides its name: the dimensions it splits, and the measures it sums. */
export interface CountedFields {
  readonly dimensions: readonly string[];
  readonly measures: readonly string[];
}

export const NOTHING_COUNTED: CountedFields = { dimensions: [], measures: [] };

/** Whether a declaration covers an event received at `receivedAtMs` (0009 section 2, "When a declaration counts"). */
export const countsAt = (period: CountingPeriod, receivedAtMs: number): boolean =>
  period.countedSince.getTime() <= receivedAtMs &&
  (period.countedUntil === undefined || receivedAtMs < period.countedUntil.getTime());

/**
 * The fields counted for an event received at `receivedAtMs`. It depends only on the event
 * and the settings record, so every worker and every redelivery decides the same.
 */
export function countedFieldsAt(settings: AnalyticsSettingsDocument, receivedAtMs: number): CountedFields {
  const dimensions: string[] = [];
  if (settings.standard !== undefined && countsAt(settings.standard, receivedAtMs)) {
    dimensions.push(...COUNTED_STANDARD_DIMENSIONS);
  }
  for (const d of settings.dimensions) if (countsAt(d, receivedAtMs)) dimensions.push(d.field);
  const measures = settings.measures.filter((m) => countsAt(m, receivedAtMs)).map((m) => m.field);
  return dimensions.length === 0 && measures.length === 0 ? NOTHING_COUNTED : { dimensions, measures };
}
