import { OTHER_EVENT_NAME } from '../counted-name';
import type { ZonedBucket } from '../time/zoned-buckets';
import { fieldPredicateOf, type FieldFilter, type FieldPredicate } from './field-predicate';
import { fieldReaderOf, numValueOf, type FieldReader, type FoldableEvent } from './foldable-event';
import { ScopedUserSet, hashUserKey } from './scoped-user-set';

/** The bounds of one fold (0009, section 5, "scan bound"). */
export const FOLD_LIMITS = {
  /** Breakdown combinations held; later new ones are counted under `(other)`. */
  maxCombinations: 10_000,
  /**
   * Time rows held (a combination's bucket of a window, once an event fell there), over
   * every combination: what a fold's memory grows with, since 10,000 combinations by
   * 1,500 buckets would be millions of rows. Past it, an event whose row is not held is
   * counted under the all-`(other)` combination, whose rows are always held (at most a
   * bucket each). See 0009 section 5 for what a row costs.
   */
  maxTimeRows: 250_000,
  /** (row, user) pairs held over every row and total: ~16–32 B each. Past it, `FoldBoundError`. */
  maxUsers: 1_000_000,
  /**
   * The largest magnitude a measure value may have. Up to it, micro-units (`n × 10⁶`)
   * are exact integers in a double, so a sum is exact; a larger value is left out of
   * every measure and counted in `measuresOutOfRange`.
   */
  maxMeasureMagnitude: 1e9,
} as const;

/** What a breakdown value past `maxCombinations` is counted under: the counters' `(other)`. */
const OTHER = OTHER_EVENT_NAME;

/** A question's window, and its buckets (zoned, sorted, not overlapping) when it has a time breakdown. */
export interface FoldWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly buckets?: readonly ZonedBucket[];
}

export interface EventFoldOptions {
  /** `events`, `uniques`, `sum:<field>`, `avg:<field>`, `min:<field>`, `max:<field>`. */
  readonly metrics: readonly string[];
  /** Breakdown fields (`event`, a standard dimension, a property key), in answer order. */
  readonly breakdown: readonly string[];
  readonly filters: readonly FieldFilter[];
  /** Only these counted names; absent, all. */
  readonly events?: readonly string[];
  /** The window, then the previous period's with `compare`. Both have buckets, or neither. */
  readonly windows: readonly [FoldWindow] | readonly [FoldWindow, FoldWindow];
  readonly maxCombinations?: number;
  readonly maxTimeRows?: number;
  readonly maxUsers?: number;
}

/** By a requested metric or breakdown field (`QueryOrderV1`). */
export interface FoldOrder {
  readonly by: string;
  readonly descending: boolean;
}

export interface FoldRow {
  /** By breakdown field, `null` for (none); `time` first (the bucket's ISO start) with buckets. */
  readonly dimensions: Record<string, string | null>;
  /** By metric; `null` where no event carried the measure (avg, min, max). */
  readonly metrics: Record<string, number | null>;
}

export interface FoldAnswer {
  readonly rows: FoldRow[];
  /** Over every combination (folded ones too), not only the listed rows; uniques is a union. */
  readonly totals: Record<string, number | null>;
  /** The previous period, for the listed rows' combinations (see `EventFold.answer`). */
  readonly comparison?: { readonly rows: FoldRow[]; readonly totals: Record<string, number | null> };
  /** Breakdown fields some of whose values were counted under `(other)`. */
  readonly folded: string[];
  /** There were more combinations than `limit`. */
  readonly truncated: boolean;
  /** The newest `receivedAtMs` of every event read, matched or not; `null` when none was. */
  readonly newestReceivedAtMs: number | null;
  /** Measure values left out for a magnitude past `FOLD_LIMITS.maxMeasureMagnitude`. */
  readonly measuresOutOfRange: number;
}

/** A question a scan cannot answer within its bounds: the service answers 422 with `code`. */
export class FoldBoundError extends Error {
  constructor(
    readonly code: 'scan_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'FoldBoundError';
  }
}

type MetricSpec =
  | { readonly name: string; readonly kind: 'events' | 'uniques' }
  | { readonly name: string; readonly kind: 'sum' | 'avg' | 'min' | 'max'; readonly measure: number };

const MEASURE_KINDS: ReadonlySet<string> = new Set(['sum', 'avg', 'min', 'max']);

/** Up to this, a running sum of micro-units is an exact integer in a double. */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** One measure's values in one row: a sum in micro-units, kept as a double while exact and in a BigInt past that. */
class MeasureCell {
  carried = 0;
  micros = 0;
  bigMicros = 0n;
  min = Infinity;
  max = -Infinity;

  add(n: number, micros: number): void {
    this.carried++;
    const sum = this.micros + micros;
    if (sum > MAX_EXACT || sum < -MAX_EXACT) {
      this.bigMicros += BigInt(this.micros);
      this.micros = micros;
    } else {
      this.micros = sum;
    }
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
  }

  get sum(): number {
    return Number(this.bigMicros + BigInt(this.micros)) / 1e6;
  }
}

/** What one row (or a combination's or a window's total) has counted. `scope` names it in the user set. */
class Cell {
  events = 0;
  users = 0;
  readonly measures: MeasureCell[];

  constructor(
    readonly scope: number,
    measureCount: number,
  ) {
    this.measures = Array.from({ length: measureCount }, () => new MeasureCell());
  }
}

interface Combination {
  readonly index: number;
  readonly values: readonly (string | null)[];
  /** Per window: the combination's total, once an event of it fell there. */
  readonly totals: (Cell | undefined)[];
}

/** Breakdown values → the next level, or the combination at the last field. `null` is (none). */
type Level = Map<string | null, Level | Combination>;

interface WindowState {
  readonly startMs: number;
  readonly endMs: number;
  readonly total: Cell;
  /** With buckets: their starts and ends, for the binary search, and ISO starts, for the answer. */
  readonly starts?: Float64Array;
  readonly ends?: Float64Array;
  readonly isoStarts?: readonly string[];
  /** Where this window's buckets begin among a combination's cell keys. */
  readonly slotBase: number;
}

/**
 * The fold of the scan path of `POST /v1/query` (0009, section 5): events in, the
 * answer's rows and totals out, computed as the counters define them, so both paths
 * agree. It owns its state: `add` a batch at a time (the caller yields to the event loop
 * between batches), then `answer`.
 *
 * An event counts when its name is asked for, it falls in a window and (with buckets)
 * in one of that window's buckets, and it passes every filter. Per combination of
 * breakdown values it adds to a row per bucket, to the combination's total (its order)
 * and to the window's total: events, distinct users (exact up to 64-bit hash collisions,
 * in one `ScopedUserSet`), and per measure the count of events carrying it, an exact
 * micro-unit sum, its minimum and maximum.
 *
 * Bounds: past `maxCombinations` a new combination is counted with `(other)` for each
 * field whose value no held combination has (or for the last field, when each value is
 * known but not together). With the contract's two breakdown fields that adds at most
 * one folded combination per value held and the all-`(other)` one; totals stay exact.
 * With buckets, past `maxTimeRows` rows held no new combination is taken either, and an
 * event whose row is not held yet is counted under the all-`(other)` combination: its
 * combination's rows and total then count less than it had, as a folded counter does,
 * and every field is in `folded`. Past `maxUsers` (row, user) pairs held, `add` throws
 * `FoldBoundError` and the fold is done.
 */
export class EventFold {
  private readonly metrics: readonly MetricSpec[];
  private readonly measureKeys: readonly string[];
  private readonly breakdown: readonly string[];
  private readonly readers: readonly FieldReader[];
  private readonly predicates: readonly FieldPredicate[];
  private readonly names: ReadonlySet<string> | undefined;
  private readonly windows: readonly WindowState[];
  private readonly timed: boolean;
  /** Cell keys a combination spans: every bucket of every window. */
  private readonly slotsPerCombination: number;
  private readonly maxCombinations: number;
  private readonly maxTimeRows: number;
  private readonly maxUsers: number;
  private readonly countsUsers: boolean;

  private readonly combinations: Combination[] = [];
  private readonly root: Level = new Map();
  /** Per breakdown field, the values of the combinations held within the bound. */
  private readonly knownValues: Set<string | null>[];
  private readonly foldedFields: boolean[];
  /** Time rows, by `timeRowKey`. */
  private readonly cells = new Map<number, Cell>();
  /** What an event is counted under once its own row cannot be held: every field `(other)`. */
  private allOther: Combination | undefined;
  private readonly users = new ScopedUserSet();
  private nextScope = 0;
  private newestReceivedAtMs = -Infinity;
  private measuresOutOfRange = 0;

  // Per event, reused: breakdown values, measure values (NaN for none) and micro-units, the user's hash.
  private readonly values: (string | null)[];
  private readonly measureValues: Float64Array;
  private readonly measureMicros: Float64Array;
  private readonly hash = new Uint32Array(2);

  constructor(options: EventFoldOptions) {
    const measureKeys: string[] = [];
    this.metrics = options.metrics.map((name) => metricSpecOf(name, measureKeys));
    this.measureKeys = measureKeys;
    this.countsUsers = this.metrics.some((metric) => metric.kind === 'uniques');
    this.breakdown = [...options.breakdown];
    this.readers = this.breakdown.map(fieldReaderOf);
    this.predicates = options.filters.map(fieldPredicateOf);
    this.names = options.events === undefined ? undefined : new Set(options.events);
    this.maxCombinations = options.maxCombinations ?? FOLD_LIMITS.maxCombinations;
    this.maxTimeRows = options.maxTimeRows ?? FOLD_LIMITS.maxTimeRows;
    this.maxUsers = options.maxUsers ?? FOLD_LIMITS.maxUsers;
    this.timed = options.windows[0].buckets !== undefined;
    let slotBase = 0;
    this.windows = options.windows.map((window, w) => {
      if ((window.buckets !== undefined) !== this.timed) {
        throw new RangeError('EventFold: the windows must all have buckets, or none');
      }
      const state = this.windowStateOf(window, slotBase, w);
      slotBase += window.buckets?.length ?? 0;
      return state;
    });
    this.slotsPerCombination = slotBase;
    this.knownValues = this.breakdown.map(() => new Set());
    this.foldedFields = this.breakdown.map(() => false);
    this.values = this.breakdown.map(() => null);
    this.measureValues = new Float64Array(measureKeys.length);
    this.measureMicros = new Float64Array(measureKeys.length);
    // Without a breakdown there is one combination, listed even when nothing matched.
    if (this.breakdown.length === 0) this.combinations.push({ index: 0, values: [], totals: [] });
  }

  /** Folds a batch of events read from the store. */
  add(events: readonly FoldableEvent[]): void {
    for (const event of events) this.addEvent(event);
  }

  /**
   * The answer: combinations ordered by `order` (a metric of their total in the window,
   * or a breakdown value; ascending or descending, `null` last either way), ties by
   * their values field by field (ascending, `null` last); the first `limit` of them,
   * each with a row per bucket (zero-filled) or one row.
   *
   * `comparison.rows` lists the same combinations in the same order (zero-filled if the
   * previous period had none of them), each with the previous period's buckets: the
   * i-th bucket of the period beside the i-th of the window, its `time` its own start.
   * Periods of different lengths in buckets (a month of 31 days against one of 30) each
   * keep all their buckets; a reader pairs them by index.
   */
  answer(order: FoldOrder, limit: number): FoldAnswer {
    const listed = this.ordered(order);
    const shown = listed.slice(0, limit);
    const [window, previous] = this.windows as [WindowState, WindowState | undefined];
    return {
      rows: this.rowsOf(shown, window),
      totals: this.metricsOf(window.total),
      ...(previous && { comparison: { rows: this.rowsOf(shown, previous), totals: this.metricsOf(previous.total) } }),
      folded: this.breakdown.filter((_, i) => this.foldedFields[i]),
      truncated: listed.length > limit,
      newestReceivedAtMs: this.newestReceivedAtMs === -Infinity ? null : this.newestReceivedAtMs,
      measuresOutOfRange: this.measuresOutOfRange,
    };
  }

  private windowStateOf(window: FoldWindow, slotBase: number, w: number): WindowState {
    const base = { startMs: window.startMs, endMs: window.endMs, total: this.newCell(), slotBase };
    const { buckets } = window;
    if (buckets === undefined) return base;
    buckets.forEach((bucket, i) => {
      const previous = buckets[i - 1];
      if (bucket.endMs <= bucket.startMs || (previous !== undefined && bucket.startMs < previous.endMs)) {
        throw new RangeError(`EventFold: the buckets of window ${w} must be sorted and not overlap (bucket ${i})`);
      }
    });
    return {
      ...base,
      starts: Float64Array.from(buckets, (bucket) => bucket.startMs),
      ends: Float64Array.from(buckets, (bucket) => bucket.endMs),
      isoStarts: buckets.map((bucket) => new Date(bucket.startMs).toISOString()),
    };
  }

  private addEvent(event: FoldableEvent): void {
    if (event.receivedAtMs > this.newestReceivedAtMs) this.newestReceivedAtMs = event.receivedAtMs;
    if (this.names !== undefined && !this.names.has(event.name)) return;
    const windows = this.windows;
    const inWindow = positionIn(windows[0] as WindowState, event.timestampMs);
    const inPrevious = windows.length > 1 ? positionIn(windows[1] as WindowState, event.timestampMs) : -1;
    if (inWindow < 0 && inPrevious < 0) return;
    for (const passes of this.predicates) if (!passes(event)) return;
    const combination = this.combinationOf(event);
    this.readMeasures(event);
    if (this.countsUsers) hashUserKey(event.userKey, this.hash);
    if (inWindow >= 0) this.count(combination, 0, inWindow);
    if (inPrevious >= 0) this.count(combination, 1, inPrevious);
  }

  private count(held: Combination, w: number, bucket: number): void {
    const window = this.windows[w] as WindowState;
    this.addTo(window.total);
    let combination = held;
    let cell: Cell | undefined;
    if (this.timed) {
      cell = this.cells.get(this.timeRowKey(combination, window, bucket));
      if (cell === undefined && this.timeRowsFull() && combination !== this.allOther) {
        combination = this.allOtherCombination(combination);
        cell = this.cells.get(this.timeRowKey(combination, window, bucket));
      }
      if (cell === undefined) {
        cell = this.newCell();
        this.cells.set(this.timeRowKey(combination, window, bucket), cell);
      }
    }
    this.addTo(combination.totals[w] ?? (combination.totals[w] = this.newCell()));
    if (cell !== undefined) this.addTo(cell);
  }

  private timeRowKey(combination: Combination, window: WindowState, bucket: number): number {
    return combination.index * this.slotsPerCombination + window.slotBase + bucket;
  }

  /** Without a breakdown the one combination's rows are at most the buckets: never folded. */
  private timeRowsFull(): boolean {
    return this.breakdown.length > 0 && this.cells.size >= this.maxTimeRows;
  }

  /** The all-`(other)` combination, for an event of `combination`, whose fields are then folded. */
  private allOtherCombination(combination: Combination): Combination {
    combination.values.forEach((value, i) => {
      if (value !== OTHER) this.foldedFields[i] = true;
    });
    if (this.allOther === undefined) {
      const values = this.breakdown.map(() => OTHER);
      this.allOther = this.lookup(values) ?? this.create(values);
    }
    return this.allOther;
  }

  private addTo(cell: Cell): void {
    cell.events++;
    if (this.countsUsers && this.users.add(cell.scope, this.hash[0] as number, this.hash[1] as number)) {
      cell.users++;
      if (this.users.size > this.maxUsers) {
        throw new FoldBoundError(
          'scan_too_large',
          `the scan holds more than ${this.maxUsers.toLocaleString('en-US')} distinct users over its rows; narrow the window, the filters or the breakdown`,
        );
      }
    }
    const values = this.measureValues;
    for (let j = 0; j < values.length; j++) {
      const n = values[j] as number;
      if (n === n) (cell.measures[j] as MeasureCell).add(n, this.measureMicros[j] as number);
    }
  }

  private readMeasures(event: FoldableEvent): void {
    const keys = this.measureKeys;
    for (let j = 0; j < keys.length; j++) {
      let n = numValueOf(event.nums, keys[j] as string);
      if (n !== undefined && Math.abs(n) > FOLD_LIMITS.maxMeasureMagnitude) {
        this.measuresOutOfRange++;
        n = undefined;
      }
      this.measureValues[j] = n ?? NaN;
      this.measureMicros[j] = n === undefined ? 0 : Math.round(n * 1e6);
    }
  }

  private newCell(): Cell {
    return new Cell(this.nextScope++, this.measureKeys.length);
  }

  private combinationOf(event: FoldableEvent): Combination {
    const values = this.values;
    if (values.length === 0) return this.combinations[0] as Combination;
    for (let i = 0; i < values.length; i++) {
      const read = this.readers[i] as FieldReader;
      values[i] = read(event) ?? null;
    }
    const held = this.lookup(values);
    if (held !== undefined) return held;
    if (this.combinations.length < this.maxCombinations && !(this.timed && this.timeRowsFull())) {
      values.forEach((value, i) => (this.knownValues[i] as Set<string | null>).add(value));
      return this.create(values);
    }
    return this.foldedCombinationOf(values);
  }

  private foldedCombinationOf(values: readonly (string | null)[]): Combination {
    const folded = values.map((value, i) => ((this.knownValues[i] as Set<string | null>).has(value) ? value : OTHER));
    if (folded.every((value, i) => value === values[i])) folded[folded.length - 1] = OTHER;
    folded.forEach((value, i) => {
      if (value !== values[i]) this.foldedFields[i] = true;
    });
    return this.lookup(folded) ?? this.create(folded);
  }

  private lookup(values: readonly (string | null)[]): Combination | undefined {
    let level: Level | Combination | undefined = this.root;
    for (const value of values) {
      level = (level as Level).get(value);
      if (level === undefined) return undefined;
    }
    return level as Combination;
  }

  private create(values: readonly (string | null)[]): Combination {
    const combination: Combination = { index: this.combinations.length, values: [...values], totals: [] };
    this.combinations.push(combination);
    let level = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i] as string | null) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(values[i] as string | null, next);
      }
      level = next;
    }
    level.set(values[last] as string | null, combination);
    return combination;
  }

  private ordered(order: FoldOrder): Combination[] {
    const listed = this.combinations.filter((c) => c.totals[0] !== undefined || this.breakdown.length === 0);
    const field = this.breakdown.indexOf(order.by);
    const metric = this.metrics.find((m) => m.name === order.by);
    if (field < 0 && metric === undefined) {
      throw new RangeError(`EventFold: cannot order by ${order.by}: not a requested metric or breakdown field`);
    }
    const keyOf = (c: Combination): number | string | null =>
      field >= 0 ? (c.values[field] as string | null) : metricOf(c.totals[0], metric as MetricSpec);
    const keys = new Map(listed.map((c) => [c, keyOf(c)]));
    const direction = order.descending ? -1 : 1;
    return listed.sort(
      (a, b) =>
        compareNullLast(keys.get(a) ?? null, keys.get(b) ?? null, direction) || compareValues(a.values, b.values),
    );
  }

  private rowsOf(combinations: readonly Combination[], window: WindowState): FoldRow[] {
    const rows: FoldRow[] = [];
    const w = this.windows.indexOf(window);
    for (const combination of combinations) {
      const dimensions = Object.fromEntries(this.breakdown.map((field, i) => [field, combination.values[i] ?? null]));
      if (window.isoStarts === undefined) {
        rows.push({ dimensions, metrics: this.metricsOf(combination.totals[w]) });
        continue;
      }
      const base = combination.index * this.slotsPerCombination + window.slotBase;
      window.isoStarts.forEach((time, bucket) => {
        rows.push({ dimensions: { time, ...dimensions }, metrics: this.metricsOf(this.cells.get(base + bucket)) });
      });
    }
    return rows;
  }

  private metricsOf(cell: Cell | undefined): Record<string, number | null> {
    const metrics: Record<string, number | null> = {};
    for (const metric of this.metrics) metrics[metric.name] = metricOf(cell, metric);
    return metrics;
  }
}

function metricSpecOf(name: string, measureKeys: string[]): MetricSpec {
  if (name === 'events' || name === 'uniques') return { name, kind: name };
  const colon = name.indexOf(':');
  const kind = name.slice(0, colon);
  const key = name.slice(colon + 1);
  if (colon < 0 || !MEASURE_KINDS.has(kind) || key === '') {
    throw new RangeError(`EventFold: unknown metric ${name}`);
  }
  let measure = measureKeys.indexOf(key);
  if (measure < 0) measure = measureKeys.push(key) - 1;
  return { name, kind: kind as 'sum' | 'avg' | 'min' | 'max', measure };
}

/** A metric of what a cell counted; a cell no event reached counts nothing. */
function metricOf(cell: Cell | undefined, metric: MetricSpec): number | null {
  switch (metric.kind) {
    case 'events':
      return cell?.events ?? 0;
    case 'uniques':
      return cell?.users ?? 0;
    default: {
      const measure = cell?.measures[metric.measure];
      if (metric.kind === 'sum') return measure?.sum ?? 0;
      if (measure === undefined || measure.carried === 0) return null;
      if (metric.kind === 'avg') return measure.sum / measure.carried;
      return metric.kind === 'min' ? measure.min : measure.max;
    }
  }
}

/**
 * Where an instant falls in a window: -1 outside it (or outside every bucket), else its
 * bucket's index by binary search over the starts (0 without buckets).
 */
function positionIn(window: WindowState, ms: number): number {
  if (ms < window.startMs || ms >= window.endMs) return -1;
  const { starts, ends } = window;
  if (starts === undefined || ends === undefined) return 0;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((starts[middle] as number) <= ms) low = middle + 1;
    else high = middle;
  }
  const bucket = low - 1;
  return bucket >= 0 && ms < (ends[bucket] as number) ? bucket : -1;
}

/** Values or metrics in `direction` (1 ascending, -1 descending), `null` after every value either way. */
function compareNullLast(a: number | string | null, b: number | string | null, direction: number): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a < b ? -1 : 1) * direction;
}

function compareValues(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareNullLast(a[i] ?? null, b[i] ?? null, 1);
    if (order !== 0) return order;
  }
  return 0;
}
