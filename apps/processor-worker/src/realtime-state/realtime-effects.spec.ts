import { DIRTY_TENANTS_SET, LIVE_WINDOW_SECONDS, realtimeKeys, rollupKeys } from '@tally/analytics-store';
import { newTenantId } from '@tally/tenant-scope';
import { effectsOf, type CountedEvent } from './realtime-effects';

const tenant = newTenantId();
const now = Date.UTC(2026, 10, 28, 12, 0, 30);
const minute = Math.floor(now / 60_000);
const event = (overrides: Partial<CountedEvent> = {}): CountedEvent => ({
  tenantId: tenant,
  name: 'Signed Up',
  userKey: 'u:1',
  timestampMs: now,
  receivedAtMs: now,
  ...overrides,
});

describe('effectsOf', () => {
  it('keeps the newest arrival of each tenant: one compare-and-set per tenant and chunk', () => {
    const other = newTenantId();
    const effects = effectsOf(
      [
        event({ receivedAtMs: now - 10 }),
        event({ receivedAtMs: now }),
        event({ tenantId: other, receivedAtMs: now - 7 }),
      ],
      now,
    );
    expect(effects.filter((e) => e.op === 'max')).toEqual([
      { op: 'max', key: realtimeKeys.newestReceived(tenant), value: now, ttl: 30 * 86_400 },
      { op: 'max', key: realtimeKeys.newestReceived(other), value: now - 7, ttl: 30 * 86_400 },
    ]);
  });

  it('sums counts per minute and name before writing', () => {
    const effects = effectsOf([event(), event({ userKey: 'u:2' }), event({ name: 'Order Completed' })], now);
    const counts = effects.filter((e) => e.op === 'hincrby' && e.key === realtimeKeys.counts(tenant, minute));
    expect(counts).toEqual([
      expect.objectContaining({ key: realtimeKeys.counts(tenant, minute), field: 'Signed Up', by: 2 }),
      expect.objectContaining({ key: realtimeKeys.counts(tenant, minute), field: 'Order Completed', by: 1 }),
    ]);
  });

  it('counts a late event in its own, older minute, marks that minute for a new rollup and counts a late write', () => {
    const lateMs = now - 3 * 3_600_000;
    const lateMinute = Math.floor(lateMs / 60_000);
    const effects = effectsOf([event({ timestampMs: lateMs })], now);
    expect(effects).toContainEqual(
      expect.objectContaining({ op: 'hincrby', key: realtimeKeys.counts(tenant, lateMinute) }),
    );
    expect(effects).toContainEqual(
      expect.objectContaining({
        op: 'hincrby',
        key: rollupKeys.dirtyMinutes(tenant),
        field: String(lateMinute),
        by: 1,
      }),
    );
    expect(effects).toContainEqual({ op: 'sadd', key: DIRTY_TENANTS_SET, member: tenant });
    expect(effects).toContainEqual(
      expect.objectContaining({ op: 'incrby', key: rollupKeys.lateWrites(tenant), by: 1 }),
    );
  });

  it('marks the current minute dirty without counting it as a late write', () => {
    const effects = effectsOf([event()], now);
    expect(effects).toContainEqual(
      expect.objectContaining({ op: 'hincrby', key: rollupKeys.dirtyMinutes(tenant), field: String(minute) }),
    );
    expect(effects.some((e) => e.op === 'incrby' && e.key === rollupKeys.lateWrites(tenant))).toBe(false);
  });

  it('adds users to minute, hour and day uniques, of all events and of the event name', () => {
    const effects = effectsOf([event(), event({ userKey: 'u:2' }), event()], now);
    const uniques = effects.filter((e) => e.op === 'pfadd');
    expect(uniques).toHaveLength(6);
    expect(uniques).toContainEqual(
      expect.objectContaining({
        key: realtimeKeys.uniques(tenant, 'hour', Math.floor(now / 3_600_000), 'Signed Up'),
        members: ['u:1', 'u:2'],
      }),
    );
  });

  it('shows recent arrivals live, by second of arrival, and leaves a backlog out of the live view', () => {
    const second = Math.floor(now / 1000);
    const effects = effectsOf([event(), event(), event({ receivedAtMs: now - (LIVE_WINDOW_SECONDS + 5) * 1000 })], now);
    expect(effects.filter((e) => e.op === 'incrby')).toEqual([
      expect.objectContaining({ key: realtimeKeys.live(tenant, second), by: 2 }),
    ]);
  });

  it('keeps every PFADD small enough for one Lua call', () => {
    const many = Array.from({ length: 1_200 }, (_, i) => event({ userKey: `u:${i}` }));
    const sizes = effectsOf(many, now)
      .filter((e) => e.op === 'pfadd')
      .map((e) => (e.op === 'pfadd' ? e.members.length : 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_200 * 6);
  });
});
