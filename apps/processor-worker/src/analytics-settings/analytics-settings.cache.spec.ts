import type { AnalyticsSettingsDocument } from '@tally/analytics-store';
import { newTenantId, type TenantId } from '@tally/tenant-scope';
import { SETTINGS_FRESHNESS, settingsFrom, type SettingsCacheEntry } from './analytics-settings.cache';

const tenant = newTenantId();
const record = (version: number): AnalyticsSettingsDocument => ({
  _id: `${tenant}:${version}`,
  tenantId: tenant,
  version,
  dimensions: [],
  measures: [],
  updatedAt: new Date(0),
});

/** A loader of records by version, whose next read can be made to fail; it counts its reads. */
function loader() {
  const state = { version: 1, reads: 0, failing: false };
  const load = (_: TenantId) => {
    state.reads++;
    return state.failing ? Promise.reject(new Error('store down')) : Promise.resolve(record(state.version));
  };
  return { state, load };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AnalyticsSettingsCache rule (settingsFrom)', () => {
  it('loads a tenant once, then serves it from memory while it is fresh', async () => {
    const entries = new Map<TenantId, SettingsCacheEntry>();
    const { state, load } = loader();
    const first = await settingsFrom(entries, load, [tenant, tenant], 0, () => undefined);
    const again = await settingsFrom(entries, load, [tenant], SETTINGS_FRESHNESS.refreshAfterMs, () => undefined);
    expect(first.get(tenant)?.version).toBe(1);
    expect(again.get(tenant)?.version).toBe(1);
    expect(state.reads).toBe(1);
  });

  it('refreshes in the background after a few seconds: the chunk does not wait, the next one sees the change', async () => {
    const entries = new Map<TenantId, SettingsCacheEntry>();
    const { state, load } = loader();
    await settingsFrom(entries, load, [tenant], 0, () => undefined);
    state.version = 2;
    const during = await settingsFrom(entries, load, [tenant], SETTINGS_FRESHNESS.refreshAfterMs + 1, () => undefined);
    expect(during.get(tenant)?.version).toBe(1);
    await settle();
    const after = await settingsFrom(entries, load, [tenant], SETTINGS_FRESHNESS.refreshAfterMs + 2, () => undefined);
    expect(after.get(tenant)?.version).toBe(2);
  });

  it('keeps using a record whose refresh failed, but never one older than 30 s: then the chunk waits', async () => {
    const entries = new Map<TenantId, SettingsCacheEntry>();
    const { state, load } = loader();
    const failures: unknown[] = [];
    await settingsFrom(entries, load, [tenant], 0, () => undefined);
    state.failing = true;
    const stillUsed = await settingsFrom(entries, load, [tenant], 10_000, (_, e) => failures.push(e));
    await settle();
    expect(stillUsed.get(tenant)?.version).toBe(1);
    expect(failures).toHaveLength(1);
    await expect(
      settingsFrom(entries, load, [tenant], SETTINGS_FRESHNESS.unusableAfterMs + 1, () => undefined),
    ).rejects.toThrow('store down');
    // The store is back: the waiting chunk's next try loads the record.
    state.failing = false;
    state.version = 3;
    const back = await settingsFrom(entries, load, [tenant], SETTINGS_FRESHNESS.unusableAfterMs + 2, () => undefined);
    expect(back.get(tenant)?.version).toBe(3);
  });

  it('loads anew a tenant whose entry an announcement dropped', async () => {
    const entries = new Map<TenantId, SettingsCacheEntry>();
    const { state, load } = loader();
    await settingsFrom(entries, load, [tenant], 0, () => undefined);
    state.version = 2;
    entries.delete(tenant); // what a change announcement does
    expect((await settingsFrom(entries, load, [tenant], 1, () => undefined)).get(tenant)?.version).toBe(2);
  });

  it('forgets tenants not seen for ten minutes', async () => {
    const entries = new Map<TenantId, SettingsCacheEntry>();
    const { load } = loader();
    const other = newTenantId();
    await settingsFrom(entries, load, [tenant], 0, () => undefined);
    await settingsFrom(entries, load, [other], SETTINGS_FRESHNESS.forgetAfterMs + 1, () => undefined);
    expect([...entries.keys()]).toEqual([other]);
  });
});
