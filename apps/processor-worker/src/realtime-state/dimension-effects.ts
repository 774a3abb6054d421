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
import type { TenantKey } from '@tally/tenant-scope';
import type { CountedEvent, Effect } from './realtime-effects';

/** One tenant-minute's dimension hash while a chunk's events are summed into it. */
interface MinuteHash {
  readonly flagNew: { readonly key: TenantKey; readonly field: string };
  /** field → amount; sums as BigInt (a chunk's micro-units can pass 2⁵³). */
  readonly increments: Map<string, bigint>;
  readonly lows: Map<string, number>;
  readonly highs: Map<string, number>;
}

/**
 * The dimension counters' effects of a chunk (0009 section 3): per tenant-minute one hash
 * of every dimension's counts, measure sums (micro-units), minima and maxima per
 * (name, value), and per UTC hour one HyperLogLog of users per (dimension, value) and per
 * (dimension, name, value). Measures are also split by name alone (the `event`
 * dimension). Events without `dimensions` write nothing here. Pure, like `effectsOf`.
 */
export function dimensionEffectsOf(events: readonly CountedEvent[]): Effect[] {
  const hashes = new Map<TenantKey, MinuteHash>();
  const users = new Map<TenantKey, Set<string>>();

  for (const event of events) {
    const dims = event.dimensions;
    if (dims === undefined) continue;
    const { tenantId, userKey } = event;
    const minute = bucketOf(event.timestampMs, 'minute');
    const hour = bucketOf(event.timestampMs, 'hour');
    const key = dimensionKeys.minute(tenantId, minute);
    let hash = hashes.get(key);
    if (hash === undefined) {
      const flagNew = { key: rollupKeys.dirtyMinutes(tenantId), field: freshDimensionsField(minute) };
      hash = { flagNew, increments: new Map(), lows: new Map(), highs: new Map() };
      hashes.set(key, hash);
    }
    const add = (field: string, by: bigint) => hash.increments.set(field, (hash.increments.get(field) ?? 0n) + by);
    const countMeasures = (dimension: string, name: string, value: string) => {
      for (const { measure, n, micros } of dims.measures) {
        const at = (kind: DimensionFieldKind) => dimensionField.encode({ dimension, kind, name, value, measure });
        add(at('n'), 1n);
        add(at('s'), BigInt(micros));
        const lo = at('lo');
        const low = hash.lows.get(lo);
        if (low === undefined || n < low) hash.lows.set(lo, n);
        const hi = at('hi');
        const high = hash.highs.get(hi);
        if (high === undefined || n > high) hash.highs.set(hi, n);
      }
    };

    for (const [dimension, value] of dims.values) {
      add(dimensionField.encode({ dimension, kind: 'c', name: dims.name, value }), 1n);
      countMeasures(dimension, dims.name, value);
      for (const usersKey of [
        dimensionKeys.valueUsers(tenantId, hour, dimension, value),
        dimensionKeys.valueUsers(tenantId, hour, dimension, value, dims.name),
      ]) {
        const members = users.get(usersKey) ?? new Set<string>();
        members.add(userKey);
        users.set(usersKey, members);
      }
    }
    // Measures by name alone: the name counters count the events, not the measures.
    countMeasures(EVENT_DIMENSION, event.name, NONE_VALUE);
  }

  const effects: Effect[] = [];
  for (const [key, { flagNew, increments }] of hashes) {
    effects.push({ op: 'hash-add', key, increments, ttl: DIMENSION_TTL_SECONDS.minute, flagNew });
  }
  // After every hash-add: the hashes exist (and have their TTL) when their extremes are compared.
  for (const [key, { lows, highs }] of hashes) {
    for (const [field, value] of lows) effects.push({ op: 'hash-extreme', key, field, value, keep: 'lo' });
    for (const [field, value] of highs) effects.push({ op: 'hash-extreme', key, field, value, keep: 'hi' });
  }
  for (const [key, members] of users) {
    effects.push({ op: 'pfadd', key, members: [...members], ttl: DIMENSION_TTL_SECONDS.valueUsers });
  }
  return effects;
}
