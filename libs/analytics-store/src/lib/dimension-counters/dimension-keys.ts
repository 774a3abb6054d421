import { tenantKey, type TenantId } from '@tally/tenant-scope';

/**
 * The value an event is counted under in a dimension it has no value for. No canonical
 * value can be it: `dimensionValueOf` replaces control characters.
 */
export const NONE_VALUE = '\u0001none';

/** The value an event is counted under when its own was past a bound of admission (0009 section 3). */
export const OTHER_VALUE = '\u0001other';

/**
 * The dimension of event names, counted for measures only: events and uniques by name
 * are the name counters' own (`realtimeKeys.counts`, `realtimeKeys.uniques`).
 */
export const EVENT_DIMENSION = 'event';

/** What a field of a tenant-minute's dimension hash counts. */
export type DimensionFieldKind =
  /** events */
  | 'c'
  /** events that carried the measure */
  | 'n'
  /** the measure's sum, in integer micro-units (`measureUnitsOf`) */
  | 's'
  /** the smallest value of the measure, as the JSON number it was */
  | 'lo'
  /** the largest */
  | 'hi';

/** One field of a dimension hash: `[d, kind, e, v]`, or `[d, kind, e, v, μ]` for a measure. */
export interface DimensionField {
  readonly dimension: string;
  readonly kind: DimensionFieldKind;
  /** The counted name, or `OTHER_EVENT_NAME` past the tenant's dimension names. */
  readonly name: string;
  /** The canonical value, `NONE_VALUE` or `OTHER_VALUE`. */
  readonly value: string;
  readonly measure?: string;
}

/**
 * A sum field whose `HINCRBY` would have overflowed a 64-bit integer (only crafted values
 * reach 9.2 × 10¹² units) holds this prefix before its own name instead: the apply script
 * must never fail half-way, and an answer then says the sum is unknown.
 */
export const OVERFLOW_FIELD_PREFIX = '!';

/**
 * Hash fields as JSON arrays: unambiguous for any strings, and decoded in this one place.
 * (`JSON.parse` of a field the apply script wrote is the only input; a field that is no
 * dimension field, such as an overflow flag, decodes to `undefined`.)
 */
export const dimensionField = {
  encode(field: DimensionField): string {
    const { dimension, kind, name, value, measure } = field;
    return JSON.stringify(
      measure === undefined ? [dimension, kind, name, value] : [dimension, kind, name, value, measure],
    );
  },

  decode(text: string): DimensionField | undefined {
    if (!text.startsWith('[')) return undefined;
    const [dimension, kind, name, value, measure] = JSON.parse(text) as [
      string,
      DimensionFieldKind,
      string,
      string,
      string | undefined,
    ];
    return measure === undefined ? { dimension, kind, name, value } : { dimension, kind, name, value, measure };
  },
};

const part = encodeURIComponent;

/**
 * Where the dimension counters live in Redis (0009 section 3): written by the worker's
 * apply script, read by the rollup job and the counter path. All in the tenant's slot.
 */
export const dimensionKeys = {
  /** HASH of every dimension of one tenant-minute (by event time): `dimensionField` → count, sum, min or max. */
  minute: (tenantId: TenantId, minute: number) => tenantKey(tenantId, 'dims', 'm', minute),
  /** HyperLogLog of the users of one value of a dimension in one UTC hour, of one counted name or (`name` absent) of all. */
  valueUsers: (tenantId: TenantId, hour: number, dimension: string, value: string, name?: string) =>
    name === undefined
      ? tenantKey(tenantId, 'du', hour, part(dimension), '*', part(value))
      : tenantKey(tenantId, 'du', hour, part(dimension), 'e', part(name), part(value)),
  /** SET of the `[name, value]` pairs admitted in one dimension and UTC hour (at most K). */
  admitted: (tenantId: TenantId, dimension: string, hour: number) => tenantKey(tenantId, 'dv', part(dimension), hour),
  /** Pairs admitted in one UTC hour, every dimension together (at most P). */
  admittedAll: (tenantId: TenantId, hour: number) => tenantKey(tenantId, 'dv-all', hour),
  /** SET of the names split in dimension counters (at most `DIMENSION_LIMITS.names`); it never shrinks. */
  names: (tenantId: TenantId) => tenantKey(tenantId, 'dim-names'),
} as const;

/**
 * How long dimension state outlives its last write: two hours, while nothing rolls it up
 * (0009 step 4) and no answer reads it (step 6), so a tenant's dimension state stays what
 * two hours of its traffic make. With the rollup of dimensions these become as long as
 * the name counters' (long enough to wait out a job that cannot run), cut once rolled up.
 */
export const DIMENSION_TTL_SECONDS = { minute: 7_200, valueUsers: 7_200, admission: 7_200 } as const;

/**
 * The bounds of admission (0009 section 3): pairs (name, value) per dimension and hour,
 * pairs per tenant and hour over all dimensions, and names split in dimension counters.
 * Past them an event is counted under `OTHER_VALUE` (or name `OTHER_EVENT_NAME`), so a
 * tenant's dimension state stays bounded and totals stay exact.
 */
export const DIMENSION_LIMITS = { valuesPerHour: 1_000, pairsPerHour: 10_000, names: 100 } as const;

/** Field of the dirty-minutes hash set when a minute's dimension hash is created anew (as `freshCountersField`). */
export const freshDimensionsField = (minute: number): string => `${minute}:fresh-dims`;

/** The largest measure value counted, in either direction: its micro-units stay exact integers in a double. */
export const MAX_MEASURE_MAGNITUDE = 1e9;

/**
 * A measure's value in integer micro-units (`n × 10⁶`, rounded), or `undefined` when it is
 * too large to count (`MAX_MEASURE_MAGNITUDE`), as the scan's fold does. Integer sums are
 * exact and do not depend on the order of addition, so counters and scans agree.
 */
export function measureMicrosOf(n: number): number | undefined {
  if (!Number.isFinite(n) || Math.abs(n) > MAX_MEASURE_MAGNITUDE) return undefined;
  return Math.round(n * 1e6);
}
