import { MAX_NAMES_PER_ROLLUP, OTHER_EVENT_NAME } from '@tally/analytics-store';

/**
 * Counts by name with at most `max` entries: the `max - 1` most counted names (ties by
 * name, so every run keeps the same ones) and `(other)` holding the sum of the rest
 * (and of any `(other)` already there: from folded children, or the worker's own bound
 * on a tenant's names, which counts under the same name), so the total is unchanged.
 * Counts within the bound are returned as they are.
 */
export function foldRareNames(
  counts: ReadonlyMap<string, number>,
  max: number = MAX_NAMES_PER_ROLLUP,
): ReadonlyMap<string, number> {
  if (counts.size <= max) return counts;
  const named = [...counts].filter(([name]) => name !== OTHER_EVENT_NAME);
  named.sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  const kept = new Map(named.slice(0, max - 1));
  let other = counts.get(OTHER_EVENT_NAME) ?? 0;
  for (const [, n] of named.slice(max - 1)) other += n;
  kept.set(OTHER_EVENT_NAME, other);
  return kept;
}
