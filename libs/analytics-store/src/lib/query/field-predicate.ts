import { dimensionValueOf } from '../event-fields/dimension-value';
import { EVENT_FIELD, fieldReaderOf, numValueOf, type FoldableEvent } from './foldable-event';

type FilterScalar = string | number | boolean;

/**
 * One filter of a question, as `POST /v1/query` takes it (`QueryFilterV1` in contracts is
 * this shape; spelled here so the store does not wait on the contract's other fields).
 */
export type FieldFilter =
  | { readonly field: string; readonly op: 'eq' | 'neq'; readonly value: FilterScalar }
  | { readonly field: string; readonly op: 'in' | 'not_in'; readonly value: readonly FilterScalar[] }
  | { readonly field: string; readonly op: 'contains' | 'starts_with'; readonly value: string }
  | { readonly field: string; readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly value: number }
  | { readonly field: string; readonly op: 'exists'; readonly value?: undefined };

export type FieldPredicate = (event: FoldableEvent) => boolean;

/**
 * The definition of a filter (0009, section 5), which the store's prefilter may only
 * approximate from above. Values compare as canonical text (`dimensionValueOf` on both
 * sides, so `eq 10` and `eq "10"` match the number 10 and the string "10"); `event`
 * is the counted name; a field the event lacks matches `neq` and `not_in` and nothing
 * else; `contains` and `starts_with` read the canonical text; the range operators see
 * only JSON numbers (`nums`), never text that looks like one; `exists` is "has a value".
 *
 * Built once per filter: the filter's values are made canonical here, not per event.
 */
export function fieldPredicateOf(filter: FieldFilter): FieldPredicate {
  const { field } = filter;
  const read = fieldReaderOf(field);
  switch (filter.op) {
    case 'eq': {
      const wanted = dimensionValueOf(filter.value);
      return (event) => read(event) === wanted && wanted !== undefined;
    }
    case 'neq': {
      const unwanted = dimensionValueOf(filter.value);
      return (event) => read(event) !== unwanted || unwanted === undefined;
    }
    case 'in': {
      const wanted = canonicalSetOf(filter.value);
      return (event) => {
        const value = read(event);
        return value !== undefined && wanted.has(value);
      };
    }
    case 'not_in': {
      const unwanted = canonicalSetOf(filter.value);
      return (event) => {
        const value = read(event);
        return value === undefined || !unwanted.has(value);
      };
    }
    case 'contains': {
      const text = dimensionValueOf(filter.value) ?? '';
      return (event) => read(event)?.includes(text) ?? false;
    }
    case 'starts_with': {
      const text = dimensionValueOf(filter.value) ?? '';
      return (event) => read(event)?.startsWith(text) ?? false;
    }
    case 'exists':
      return (event) => read(event) !== undefined;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return rangePredicateOf(field, filter.op, filter.value);
  }
}

/** The counted name is text, never a JSON number: no range operator matches it. */
function rangePredicateOf(field: string, op: 'gt' | 'gte' | 'lt' | 'lte', bound: number): FieldPredicate {
  if (field === EVENT_FIELD) return () => false;
  const holds = RANGE_TESTS[op];
  return (event) => {
    const n = numValueOf(event.nums, field);
    return n !== undefined && holds(n, bound);
  };
}

const RANGE_TESTS = {
  gt: (n: number, bound: number) => n > bound,
  gte: (n: number, bound: number) => n >= bound,
  lt: (n: number, bound: number) => n < bound,
  lte: (n: number, bound: number) => n <= bound,
} as const;

/** The canonical texts of a list; a value without one (which the contract refuses) matches nothing. */
function canonicalSetOf(values: readonly FilterScalar[]): ReadonlySet<string> {
  const texts = new Set<string>();
  for (const value of values) {
    const text = dimensionValueOf(value);
    if (text !== undefined) texts.add(text);
  }
  return texts;
}

/**
 * Predicates already built, by filter object: a caller asking about one filter for event
 * after event builds its canonical values once. Weak, so a finished question's filters go.
 */
const builtPredicates = new WeakMap<FieldFilter, FieldPredicate>();

/** Whether `event` passes `filter` (see `fieldPredicateOf` for the rules). */
export function matchesFilter(event: FoldableEvent, filter: FieldFilter): boolean {
  let predicate = builtPredicates.get(filter);
  if (predicate === undefined) {
    predicate = fieldPredicateOf(filter);
    builtPredicates.set(filter, predicate);
  }
  return predicate(event);
}

/** Whether `event` passes every filter: filters of a question are a conjunction. */
export function matchesAll(event: FoldableEvent, filters: readonly FieldFilter[]): boolean {
  for (const filter of filters) if (!matchesFilter(event, filter)) return false;
  return true;
}
