import {
  DIMENSION_TTL_SECONDS,
  NONE_VALUE,
  OTHER_VALUE,
  dimensionField,
  dimensionKeys,
  freshDimensionsField,
  rollupKeys,
  type EventDimensions,
} from '@tally/analytics-store';
import { newTenantId } from '@tally/tenant-scope';
import { dimensionEffectsOf } from './dimension-effects';
import type { CountedEvent, Effect } from './realtime-effects';

const tenant = newTenantId();
const now = Date.UTC(2026, 10, 28, 12, 0, 30);
const minute = Math.floor(now / 60_000);
const hour = Math.floor(now / 3_600_000);
const hashKey = dimensionKeys.minute(tenant, minute);

const event = (dimensions: EventDimensions | undefined, overrides: Partial<CountedEvent> = {}): CountedEvent => ({
  tenantId: tenant,
  name: 'Purchase',
  userKey: 'u:1',
  timestampMs: now,
  receivedAtMs: now,
  ...(dimensions === undefined ? {} : { dimensions }),
  ...overrides,
});
const plan = (value: string, n?: number): EventDimensions => ({
  name: 'Purchase',
  values: [['properties.plan', value]],
  measures: n === undefined ? [] : [{ measure: 'properties.revenue', n, micros: Math.round(n * 1e6) }],
});
const field = (kind: 'c' | 'n' | 's' | 'lo' | 'hi', value: string, measure?: string, dimension = 'properties.plan') =>
  dimensionField.encode({ dimension, kind, name: 'Purchase', value, ...(measure === undefined ? {} : { measure }) });
const increments = (effects: Effect[]) => {
  const add = effects.find((e) => e.op === 'hash-add' && e.key === hashKey);
  return add?.op === 'hash-add' ? Object.fromEntries([...add.increments].map(([f, by]) => [f, Number(by)])) : {};
};

describe('dimensionEffectsOf', () => {
  it('writes nothing for events their tenant counts no dimension for', () => {
    expect(dimensionEffectsOf([event(undefined)])).toEqual([]);
  });

  it('counts every event once per dimension: its value, (none) or (other), so values add up to the events', () => {
    const effects = dimensionEffectsOf([
      event(plan('pro')),
      event(plan('pro')),
      event(plan(NONE_VALUE)),
      event(plan(OTHER_VALUE)),
    ]);
    expect(increments(effects)).toEqual({
      [field('c', 'pro')]: 2,
      [field('c', NONE_VALUE)]: 1,
      [field('c', OTHER_VALUE)]: 1,
    });
    expect(effects[0]).toMatchObject({
      op: 'hash-add',
      ttl: DIMENSION_TTL_SECONDS.minute,
      flagNew: { key: rollupKeys.dirtyMinutes(tenant), field: freshDimensionsField(minute) },
    });
  });

  it('sums measures in integer micro-units per (name, value) and by name alone, with min and max', () => {
    const effects = dimensionEffectsOf([event(plan('pro', 19.99)), event(plan('pro', 0.01)), event(plan('pro', 5))]);
    const μ = 'properties.revenue';
    expect(increments(effects)).toEqual({
      [field('c', 'pro')]: 3,
      [field('n', 'pro', μ)]: 3,
      [field('s', 'pro', μ)]: 25_000_000,
      [field('n', NONE_VALUE, μ, 'event')]: 3,
      [field('s', NONE_VALUE, μ, 'event')]: 25_000_000,
    });
    const extremes = effects.filter((e) => e.op === 'hash-extreme');
    expect(extremes).toEqual(
      expect.arrayContaining([
        { op: 'hash-extreme', key: hashKey, field: field('lo', 'pro', μ), value: 0.01, keep: 'lo' },
        { op: 'hash-extreme', key: hashKey, field: field('hi', 'pro', μ), value: 19.99, keep: 'hi' },
        { op: 'hash-extreme', key: hashKey, field: field('lo', NONE_VALUE, μ, 'event'), value: 0.01, keep: 'lo' },
      ]),
    );
    // Extremes come after every hash-add: the hash exists, with its TTL, when they are compared.
    const lastAdd = effects.map((e) => e.op).lastIndexOf('hash-add');
    expect(effects.findIndex((e) => e.op === 'hash-extreme')).toBeGreaterThan(lastAdd);
  });

  it('sums a chunk past 2^53 micro-units exactly', () => {
    const big = Array.from({ length: 20 }, () => event(plan('pro', 999_999_999.999999)));
    const add = dimensionEffectsOf(big).find((e) => e.op === 'hash-add');
    expect(add?.op === 'hash-add' && add.increments.get(field('s', 'pro', 'properties.revenue'))).toBe(
      20n * 999_999_999_999_999n,
    );
  });

  it('keeps per value the users of each UTC hour, of all events and of the name', () => {
    const effects = dimensionEffectsOf([
      event(plan('pro')),
      event(plan('pro'), { userKey: 'u:2' }),
      event(plan('free'), { userKey: 'u:2' }),
    ]);
    const users = Object.fromEntries(
      effects.flatMap((e) => (e.op === 'pfadd' ? [[e.key, [...e.members].sort()]] : [])),
    );
    expect(users).toEqual({
      [dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'pro')]: ['u:1', 'u:2'],
      [dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'pro', 'Purchase')]: ['u:1', 'u:2'],
      [dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'free')]: ['u:2'],
      [dimensionKeys.valueUsers(tenant, hour, 'properties.plan', 'free', 'Purchase')]: ['u:2'],
    });
  });

  it('puts a late event into its own minute and hour', () => {
    const late = now - 3 * 3_600_000;
    const effects = dimensionEffectsOf([event(plan('pro'), { timestampMs: late })]);
    expect(effects.map((e) => e.key)).toEqual([
      dimensionKeys.minute(tenant, Math.floor(late / 60_000)),
      dimensionKeys.valueUsers(tenant, hour - 3, 'properties.plan', 'pro'),
      dimensionKeys.valueUsers(tenant, hour - 3, 'properties.plan', 'pro', 'Purchase'),
    ]);
  });

  it('splits measures by the counted name even when dimensions fold the name into (other)', () => {
    const folded: EventDimensions = { ...plan('pro', 2), name: '(other)' };
    const add = dimensionEffectsOf([event(folded, { name: 'Rare Name' })]).find((e) => e.op === 'hash-add');
    const fields = add?.op === 'hash-add' ? [...add.increments.keys()].map((f) => dimensionField.decode(f)) : [];
    expect(fields).toEqual(
      expect.arrayContaining([
        { dimension: 'properties.plan', kind: 'c', name: '(other)', value: 'pro' },
        { dimension: 'event', kind: 's', name: 'Rare Name', value: NONE_VALUE, measure: 'properties.revenue' },
      ]),
    );
  });
});
