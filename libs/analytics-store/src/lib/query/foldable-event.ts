/**
 * What the scan reads of a raw event, v1 or v2 alike: its counted name, who it is about,
 * when it happened and arrived, and its fields as `eventFieldsOf` stores them.
 */
export interface FoldableEvent {
  readonly name: string;
  readonly userKey: string;
  readonly timestampMs: number;
  readonly receivedAtMs: number;
  /** `<key>=<value>` entries, sorted as `Array.prototype.sort` sorts them (UTF-16 code units). */
  readonly props: readonly string[];
  /** The numeric leaves, sorted by key the same way. */
  readonly nums: readonly { readonly k: string; readonly n: number }[];
}

/** The field a query names for the counted name; every other field is a `props` key. */
export const EVENT_FIELD = 'event';

/**
 * The canonical value of `key` in sorted `props`, or `undefined` when the event has none.
 *
 * The array is sorted by whole entries, not by key: `properties.a.b=…` and
 * `properties.a%2Eb=…` sort before `properties.a=…` (`.` and `%` are below `=`), and
 * `properties.ab=…` after it. So the search is not for the key but for the text `key=`:
 * keys hold no `=` (the codec escapes it), so the one entry of `key` is the one that
 * starts with `key=`, and entries sharing a prefix are contiguous in any sorted list, so
 * it is the first entry not below `key=`. This is the only lookup of a key in `props`.
 */
export function propValueOf(props: readonly string[], key: string): string | undefined {
  return valueAfter(props, `${key}=`);
}

/** `propValueOf` with the `key=` prefix built once, for code that looks the same key up in every event. */
export function valueAfter(props: readonly string[], prefix: string): string | undefined {
  let low = 0;
  let high = props.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((props[middle] as string) < prefix) low = middle + 1;
    else high = middle;
  }
  const entry = props[low];
  return entry !== undefined && entry.startsWith(prefix) ? entry.slice(prefix.length) : undefined;
}

/** The JSON number an event holds at `key`, or `undefined` when it holds none there. */
export function numValueOf(nums: FoldableEvent['nums'], key: string): number | undefined {
  let low = 0;
  let high = nums.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((nums[middle] as FoldableEvent['nums'][number]).k < key) low = middle + 1;
    else high = middle;
  }
  const num = nums[low];
  return num !== undefined && num.k === key ? num.n : undefined;
}

/** One field's canonical value in an event, or `undefined` when it has none. */
export type FieldReader = (event: FoldableEvent) => string | undefined;

/**
 * The reader of a field, built once per field a question names: the counted name for
 * `event`, else the `props` entry of that key.
 */
export function fieldReaderOf(field: string): FieldReader {
  if (field === EVENT_FIELD) return (event) => event.name;
  const prefix = `${field}=`;
  return (event) => valueAfter(event.props, prefix);
}
