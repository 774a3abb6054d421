import {
  DIMENSION_TTL_SECONDS,
  EVENT_DIMENSION,
  NONE_VALUE,
  bucketOf,
  dimensionField,
  dimensionKeys,
  freshDimensionsField,
  rollupKeys,
  type DimensionFieldKind,
} from '@tally/analytics-store';
import type { TenantId, TenantKey } from '@tally/tenant-scope';
import type { CountedEvent, Effect } from './realtime-effects';

/**
 * Joins the parts of a chunk-local map key. No part can hold it: values and field keys
 * have their control characters replaced or escaped, event names with U+0000 are refused
 * at ingest, and tenant ids are UUIDs. Joining is far cheaper than building the Redis key
 * and hash field of every event; those are built once per distinct cell.
 */
const SEP = '\u0000';

/** One measure of one cell: a sum of micro-units kept as a double while exact, then as a BigInt. */
class MeasureSum {
  carriers = 0;
  private micros = 0;
  private big = 0n;
  low = Infinity;
  high = -Infinity;

  add(n: number, micros: number): void {
    this.carriers++;
    const sum = this.micros + micros;
    if (Math.abs(sum) > Number.MAX_SAFE_INTEGER) {
      this.big += BigInt(this.micros);
      this.micros = micros;
    } else {
      this.micros = sum;
    }
    if (n < this.low) this.low = n;
    if (n > this.high) this.high = n;
  }

  total(): bigint {
    return this.big + BigInt(this.micros);
  }
}

/** What a chunk adds to one (tenant, minute, dimension, name, value). */
interface Cell {
  readonly tenantId: TenantId;
  readonly minute: number;
  readonly dimension: string;
  readonly name: string;
  readonly value: string;
  events: number;
  readonly measures: Map<string, MeasureSum>;
}

/** One tenant-minute's dimension hash: its fields' increments, its extremes, its fresh flag. */
interface MinuteHash {
  readonly increments: Map<string, bigint>;
  readonly extremes: Effect[];
  readonly flagNew: { readonly key: TenantKey; readonly field: string };
}

/** Users a chunk adds to one (tenant, hour, dimension, value[, name]) sketch. */
interface Users {
  readonly tenantId: TenantId;
  readonly hour: number;
  readonly dimension: string;
  readonly value: string;
  readonly name?: string;
  readonly members: Set<string>;
}

/**
 * The dimension counters' effects of a chunk (0009 section 3): per tenant-minute one hash
 * of every dimension's counts, measure sums (micro-units), minima and maxima per
 * (name, value), and per UTC hour one HyperLogLog of users per (dimension, value) and per
 * (dimension, name, value). Measures are also split by name alone (the `event`
 * dimension, value `(none)`). Events without `dimensions` write nothing here. Pure, like
 * `effectsOf`; events are summed into cells first, and each cell's keys and fields are
 * built once.
 */
export function dimensionEffectsOf(events: readonly CountedEvent[]): Effect[] {
  const cells = new Map<string, Cell>();
  const users = new Map<string, Users>();

  for (const event of events) {
    const dims = event.dimensions;
    if (dims === undefined) continue;
    const { tenantId, userKey } = event;
    const minute = bucketOf(event.timestampMs, 'minute');
    const hour = bucketOf(event.timestampMs, 'hour');
    const at = tenantId + SEP + minute + SEP;
    const cellOf = (dimension: string, name: string, value: string): Cell => {
      const key = at + dimension + SEP + name + SEP + value;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { tenantId, minute, dimension, name, value, events: 0, measures: new Map() };
        cells.set(key, cell);
      }
      return cell;
    };
    const addMeasures = (cell: Cell) => {
      for (const { measure, n, micros } of dims.measures) {
        let sum = cell.measures.get(measure);
        if (sum === undefined) {
          sum = new MeasureSum();
          cell.measures.set(measure, sum);
        }
        sum.add(n, micros);
      }
    };
    const addUser = (dimension: string, value: string, name?: string) => {
      const key = tenantId + SEP + hour + SEP + dimension + SEP + value + SEP + (name ?? '');
      let entry = users.get(key);
      if (entry === undefined) {
        entry = { tenantId, hour, dimension, value, ...(name === undefined ? {} : { name }), members: new Set() };
        users.set(key, entry);
      }
      entry.members.add(userKey);
    };

    for (const [dimension, value] of dims.values) {
      const cell = cellOf(dimension, dims.name, value);
      cell.events++;
      if (dims.measures.length > 0) addMeasures(cell);
      addUser(dimension, value);
      addUser(dimension, value, dims.name);
    }
    // Measures by name alone: the name counters count the events, not the measures.
    if (dims.measures.length > 0) addMeasures(cellOf(EVENT_DIMENSION, event.name, NONE_VALUE));
  }
  return [...hashEffectsOf(cells.values()), ...userEffectsOf(users.values())];
}

function hashEffectsOf(cells: Iterable<Cell>): Effect[] {
  const hashes = new Map<TenantKey, MinuteHash>();
  for (const cell of cells) {
    const { tenantId, minute, dimension, name, value } = cell;
    const key = dimensionKeys.minute(tenantId, minute);
    let hash = hashes.get(key);
    if (hash === undefined) {
      const flagNew = { key: rollupKeys.dirtyMinutes(tenantId), field: freshDimensionsField(minute) };
      hash = { increments: new Map(), extremes: [], flagNew };
      hashes.set(key, hash);
    }
    const field = (kind: DimensionFieldKind, measure?: string) =>
      dimensionField.encode({ dimension, kind, name, value, ...(measure === undefined ? {} : { measure }) });
    if (cell.events > 0) hash.increments.set(field('c'), BigInt(cell.events));
    for (const [measure, sum] of cell.measures) {
      hash.increments.set(field('n', measure), BigInt(sum.carriers));
      hash.increments.set(field('s', measure), sum.total());
      hash.extremes.push(
        { op: 'hash-extreme', key, field: field('lo', measure), value: sum.low, keep: 'lo' },
        { op: 'hash-extreme', key, field: field('hi', measure), value: sum.high, keep: 'hi' },
      );
    }
  }
  const effects: Effect[] = [];
  for (const [key, { increments, flagNew }] of hashes) {
    effects.push({
      op: 'hash-add',
      key,
      increments,
      ttl: DIMENSION_TTL_SECONDS.minute,
      flagNew,
    });
  }
  // After every hash-add: the hashes exist (and have their TTL) when their extremes are compared.
  for (const { extremes } of hashes.values()) effects.push(...extremes);
  return effects;
}

function userEffectsOf(users: Iterable<Users>): Effect[] {
  const effects: Effect[] = [];
  for (const { tenantId, hour, dimension, value, name, members } of users) {
    const key = dimensionKeys.valueUsers(tenantId, hour, dimension, value, name);
    effects.push({ op: 'pfadd', key, members: [...members], ttl: DIMENSION_TTL_SECONDS.valueUsers });
  }
  return effects;
}
