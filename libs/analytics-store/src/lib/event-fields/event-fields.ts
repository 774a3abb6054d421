import type { SegmentEvent } from '@tally/contracts';
import { STANDARD_DIMENSIONS, type StandardDimensions } from '@tally/event-dimensions';
import { dimensionValueOf } from './dimension-value';
import { FIELD_ROOTS, MAX_FIELD_KEY_LENGTH, fieldPath } from './field-path.codec';

/** Leaves deeper than this many segments below their root are kept in the payload only. */
export const MAX_FIELD_DEPTH = 4;

/**
 * The most leaves an event stores, beside its standard dimensions: `props` stays at most
 * 74 entries of 401 characters, whatever a tenant sends (0009).
 */
export const MAX_LEAVES_PER_EVENT = 64;

/** A numeric leaf, for range filters and measures: `{ k: 'properties.revenue', n: 19.99 }`. */
export interface NumericField {
  readonly k: string;
  readonly n: number;
}

/** What a raw event document stores of an event's fields (`props`, `nums`), and how many leaves did not fit. */
export interface EventFields {
  /** `<key>=<value>` (`fieldPath`, `dimensionValueOf`), sorted: kept leaves and the standard dimensions. */
  readonly props: string[];
  /** The kept leaves that are JSON numbers, sorted by key. */
  readonly nums: NumericField[];
  /**
   * Leaves not kept: past the first `MAX_LEAVES_PER_EVENT` by key, or with a key longer
   * than `MAX_FIELD_KEY_LENGTH` (for `processor_props_dropped_total`). What is no leaf
   * (null, arrays, too deep, the context fields below) is not counted.
   */
  readonly dropped: number;
}

/**
 * `context` fields that are not leaves: the standard dimensions stand for the user agent
 * and its client hints (0008), and the address is personal; all three are long.
 */
const CONTEXT_NOT_LEAVES: ReadonlySet<string> = new Set(['ip', 'userAgent', 'userAgentData']);

/**
 * Why no stored event can hold a leaf under `key`, or `undefined` when the worker stores
 * it (`eventFieldsOf`) for an event that has it: a key the codec would not build (it must
 * come back from `fieldPath.decode` and `encode` as itself), a standard dimension, more
 * than `MAX_FIELD_DEPTH` segments below its root, or under a `context` field that is no
 * leaf. A declared dimension or measure under such a key would count nothing, ever.
 */
export function storedLeafProblem(key: string): string | undefined {
  const path = fieldPath.decode(key);
  if (path === undefined || (path.kind === 'leaf' && fieldPath.encode(path.root, path.segments) !== key)) {
    return `is not a key the worker stores: a root (${FIELD_ROOTS.join(', ')}) and segments joined by ".", with ".", "%" and "=" inside a segment escaped as %2E, %25 and %3D (upper-case) and nothing else escaped, at most ${MAX_FIELD_KEY_LENGTH} characters`;
  }
  if (path.kind === 'standard') return 'is a standard dimension, not a leaf of the event';
  if (path.segments.length > MAX_FIELD_DEPTH) {
    return `is ${path.segments.length} segments below ${path.root}: the worker stores leaves at most ${MAX_FIELD_DEPTH} below their root`;
  }
  const [first] = path.segments;
  if (path.root === 'context' && first !== undefined && CONTEXT_NOT_LEAVES.has(first)) {
    return `is under context.${first}, which the worker does not store as leaves`;
  }
  return undefined;
}

/**
 * The fields an event is stored and queried by (0009, section 1): every scalar leaf of
 * `properties`, `traits` and `context` at most `MAX_FIELD_DEPTH` segments below its root,
 * the first `MAX_LEAVES_PER_EVENT` of them by key, and the standard dimensions, always
 * (the event's name is the document's `name`, not an entry). Arrays and what they hold
 * are skipped: one event under several values would break "values add up to the total".
 *
 * Pure and total: the roots are read as whatever JSON the event holds, so a v1 document's
 * parsed payload gives the same fields as the worker did. Runs for every event the worker
 * stores; its cost per event is measured by
 * `npx tsx libs/analytics-store/bench/measure-event-fields-cost.ts`.
 */
export function eventFieldsOf(event: SegmentEvent, standard: StandardDimensions): EventFields {
  const leaves: LeavesDraft = { keys: [], texts: [], values: [], tooLong: 0 };
  const roots = event as Readonly<Record<string, unknown>>;
  for (const root of FIELD_ROOTS) {
    const record = roots[root];
    if (isRecord(record)) addLeaves(leaves, record, root, 1, root === 'context');
  }
  const { keys, texts, values } = leaves;
  const kept = keys.length > MAX_LEAVES_PER_EVENT ? firstByKey(keys, MAX_LEAVES_PER_EVENT) : undefined;
  const keptCount = kept?.length ?? keys.length;
  const props: string[] = [];
  const nums: NumericField[] = [];
  for (let k = 0; k < keptCount; k++) {
    const i = kept === undefined ? k : (kept[k] as number);
    const key = keys[i] as string;
    props.push(`${key}=${texts[i]}`);
    const value = values[i];
    if (typeof value === 'number') nums.push({ k: key, n: value === 0 ? 0 : value });
  }
  for (const name of STANDARD_DIMENSIONS) {
    if (name === 'event') continue;
    const value = dimensionValueOf(standard[name]);
    if (value !== undefined) props.push(`${name}=${value}`);
  }
  props.sort();
  if (nums.length > 1) nums.sort(byKey);
  return { props, nums, dropped: leaves.tooLong + keys.length - keptCount };
}

/**
 * The leaves while they are collected, `keys[i]` for `texts[i]` (canonical) and
 * `values[i]` (as the event holds it). Entries are built only for the leaves kept: a
 * hostile event of 32 KB holds thousands of leaves.
 */
interface LeavesDraft {
  readonly keys: string[];
  readonly texts: string[];
  readonly values: unknown[];
  tooLong: number;
}

function addLeaves(
  leaves: LeavesDraft,
  record: Readonly<Record<string, unknown>>,
  key: string,
  depth: number,
  isContext: boolean,
): void {
  // JSON objects have only own, enumerable keys: `for…in` walks them without a key array.
  for (const name in record) {
    if (isContext && CONTEXT_NOT_LEAVES.has(name)) continue;
    const value = record[name];
    if (typeof value === 'object') {
      if (value !== null && depth < MAX_FIELD_DEPTH && !Array.isArray(value)) {
        addLeaves(leaves, value as Record<string, unknown>, fieldPath.append(key, name), depth + 1, false);
      }
      continue;
    }
    const text = dimensionValueOf(value);
    if (text === undefined) continue;
    const leafKey = fieldPath.append(key, name);
    if (leafKey.length > MAX_FIELD_KEY_LENGTH) {
      leaves.tooLong++;
      continue;
    }
    leaves.keys.push(leafKey);
    leaves.texts.push(text);
    leaves.values.push(value);
  }
}

/**
 * The indices of the first `count` keys in UTF-16 order, so which leaves an event keeps
 * depends on its keys only, not on the order its JSON lists them in. By key, not by
 * entry: `a` and `a%2Eb` sort one way as keys and the other as `a=…` and `a%2Eb=…`.
 */
function firstByKey(keys: readonly string[], count: number): number[] {
  const order = keys.map((_, i) => i).sort((a, b) => compare(keys[a] as string, keys[b] as string));
  return order.slice(0, count);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: NumericField, b: NumericField): number => compare(a.k, b.k);

/** A JSON object: not null, not an array. */
const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
