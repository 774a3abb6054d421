import type { Filter } from 'mongodb';
import { dimensionValueOf } from '../event-fields/dimension-value';
import type { StoredRawEvent } from '../raw-events.collection';
import type { FieldFilter } from './field-predicate';
import { EVENT_FIELD } from './foldable-event';

type FilterScalar = string | number | boolean;

/** What a scan reads: one tenant's minutes [startMinute, endMinute), its named events and filters. */
export interface ScanSelection {
  readonly startMinute: number;
  readonly endMinute: number;
  /** Only these counted names; absent, all. */
  readonly events?: readonly string[];
  readonly filters: readonly FieldFilter[];
}

/**
 * The MongoDB filter of a scan, without its tenant (the caller scopes it with
 * `tenantFilter`, which applies the tenant last). It is a superset: it may return more
 * raw events than the question matches, never fewer, because the pure predicate
 * (`fieldPredicateOf`), applied again to every event read, is the definition (0009
 * section 1, "Filters are a superset, the fold decides"). So it uses only operators whose
 * FerretDB behaviour the int-spec checks: equality and `$in` on `name`, and on the stored
 * `props` text (`storedFields`) a regex of escaped literals framed by `\n`: `\nkey=value\n`
 * for `eq` and `in`, `\nkey=prefix` for `starts_with`, `\nkey=` for `exists`, read the
 * same by Go RE2 (FerretDB) and PCRE (MongoDB). `neq`, `not_in`, `contains` and the range
 * operators narrow nothing here. Version-1 documents have no `props`: they are read
 * whatever the filters and judged in Node from their payload.
 *
 * On real MongoDB `tenant_minute` bounds the read to the tenant's window; FerretDB reads
 * the tenant's rows either way.
 */
export function scanPrefilterOf(selection: ScanSelection): Filter<StoredRawEvent> {
  const filter: Record<string, unknown> = { minute: { $gte: selection.startMinute, $lt: selection.endMinute } };
  const names = namesOf(selection);
  if (names !== undefined) filter['name'] = names.length === 1 ? names[0] : { $in: names };
  // A pattern past the bound narrows nothing rather than fail in the store (MongoDB caps pattern length).
  const patterns = selection.filters.flatMap(propsPatternOf).filter((p) => p.length <= MAX_PATTERN_LENGTH);
  if (patterns.length > 0) {
    const onProps =
      patterns.length === 1
        ? { props: { $regex: patterns[0] } }
        : { $and: patterns.map((pattern) => ({ props: { $regex: pattern } })) };
    filter['$or'] = [{ v: { $exists: false } }, onProps];
  }
  return filter as Filter<StoredRawEvent>;
}

/**
 * The names an answer can hold: `events` and every `eq`/`in` filter on `event`
 * intersected. An empty list means none can match: `name: { $in: [] }` reads nothing.
 */
function namesOf(selection: ScanSelection): string[] | undefined {
  let names: Set<string> | undefined = selection.events === undefined ? undefined : new Set(selection.events);
  for (const filter of selection.filters) {
    if (filter.field !== EVENT_FIELD) continue;
    const values = filter.op === 'eq' ? [filter.value] : filter.op === 'in' ? filter.value : undefined;
    if (values === undefined) continue;
    const wanted = new Set(values.flatMap((value) => dimensionValueOf(value) ?? []));
    names = names === undefined ? wanted : new Set([...names].filter((name) => wanted.has(name)));
  }
  return names === undefined ? undefined : [...names].sort();
}

/** The pattern a filter implies on the `props` text, if it narrows anything there. */
function propsPatternOf(filter: FieldFilter): string[] {
  if (filter.field === EVENT_FIELD) return [];
  const key = `${NL}${escapeRegex(`${filter.field}=`)}`;
  const texts = (values: readonly FilterScalar[]): string[] =>
    values.flatMap((value) => {
      const text = dimensionValueOf(value);
      return text === undefined ? [] : [escapeRegex(text)];
    });
  switch (filter.op) {
    case 'eq':
    case 'in': {
      const values = texts(filter.op === 'eq' ? [filter.value] : (filter.value as readonly FilterScalar[]));
      // No canonical value at all (the contract refuses them): nothing can match.
      if (values.length === 0) return [`${key}${NEVER}`];
      return [values.length === 1 ? `${key}${values[0]}${NL}` : `${key}(?:${values.join('|')})${NL}`];
    }
    case 'starts_with':
      return [`${key}${escapeRegex(dimensionValueOf(filter.value) ?? '')}`];
    case 'exists':
      return [key];
    default:
      return [];
  }
}

/** `\n` as a regex escape: the entry separator of the stored text (`ENTRY_SEPARATOR`). */
const NL = '\\n';
/** Matches no text, in RE2 and PCRE alike. */
const NEVER = '[^\\s\\S]';

/** The longest pattern sent; longer ones (a big `in` of long values) are left to the predicate. */
const MAX_PATTERN_LENGTH = 8_192;

/** Every character that means something in RE2 or PCRE, escaped: the pattern is a literal. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
