import type { NumericField } from './event-fields';

/** What a query reads of a stored event besides its name, user and times (`eventFieldsOf`'s lists). */
export interface QueryableFields {
  readonly props: readonly string[];
  readonly nums: readonly NumericField[];
}

/** How a version-2 raw event document holds them: each list as one text. */
export interface StoredFields {
  readonly props: string;
  readonly nums: string;
}

/**
 * Ends every entry in stored text, and starts the first. No entry can hold it: a key
 * has its control characters percent-encoded (`fieldPath`) and a value has them replaced
 * (`dimensionValueOf`). So `\n<key>=<value>\n` occurs in the text exactly when the event
 * holds that entry, and `\n<key>=` exactly when it holds the key: what the scan's store
 * filter looks for (`scanPrefilterOf`).
 */
export const ENTRY_SEPARATOR = '\n';

/**
 * The stored form of an event's queryable fields: `props` as its sorted entries in one
 * text, `\n`-framed (`"\nproperties.plan=pro\n$path=/pricing\n"`, or `""`), and the
 * numeric leaves as `\n<key>=<number>\n` entries the same way (`String(n)` gives back
 * exactly `n`).
 *
 * One text, not an array: FerretDB 1.24 on PostgreSQL stores every array element with a
 * type entry of its own, and on our stack an array of 14 entries took a raw event's
 * insert cost from about 80 to 130 µs, which halved the worker's throughput; one string
 * cost next to nothing (0009 section 1, measured there). The price is that MongoDB cannot
 * index single entries; a scan is always within one tenant's window (`tenant_minute`).
 */
export const storedFields = {
  encode(fields: QueryableFields): StoredFields {
    return { props: framed(fields.props), nums: framed(fields.nums.map(({ k, n }) => `${k}=${n}`)) };
  },

  decode(stored: StoredFields): QueryableFields {
    return { props: entriesOf(stored.props), nums: entriesOf(stored.nums).map(numericFieldOf) };
  },
};

const framed = (entries: readonly string[]): string =>
  entries.length === 0 ? '' : `${ENTRY_SEPARATOR}${entries.join(ENTRY_SEPARATOR)}${ENTRY_SEPARATOR}`;

const entriesOf = (text: string): string[] => (text.length === 0 ? [] : text.slice(1, -1).split(ENTRY_SEPARATOR));

/** A key holds no `=` (the codec escapes it): the first one ends it. */
function numericFieldOf(entry: string): NumericField {
  const end = entry.indexOf('=');
  return { k: entry.slice(0, end), n: Number(entry.slice(end + 1)) };
}
