import type { NameRollup } from '@tally/analytics-store';
import type { TenantId } from '@tally/tenant-scope';

interface TenantEntries {
  /** The tenant's late-write counter the entries were read under. */
  readonly late: string;
  readonly names: Map<number, readonly NameRollup[] | null>;
}

/**
 * Rollups of settled buckets, kept in process: a bucket that ended two minutes ago or
 * more changes only through a late write, and every late write bumps the tenant's
 * late-write counter (in the same script that marks the minute dirty), so entries stay
 * valid exactly as long as the counter they were read under. `null` remembers a bucket
 * without events. This keeps steady-state queries off MongoDB (FerretDB scans the whole
 * collection for every read).
 */
export class SettledRollupsCache {
  private readonly tenants = new Map<TenantId, TenantEntries>();
  private entries = 0;

  constructor(private readonly maxEntries = 200_000) {}

  /** The tenant's entries valid under `late` (emptied if the counter moved). */
  entriesFor(tenantId: TenantId, late: string): Map<number, readonly NameRollup[] | null> {
    const current = this.tenants.get(tenantId);
    if (current?.late === late) return current.names;
    if (current) this.entries -= current.names.size;
    const fresh: TenantEntries = { late, names: new Map() };
    this.tenants.set(tenantId, fresh);
    return fresh.names;
  }

  remember(names: Map<number, readonly NameRollup[] | null>, key: number, value: readonly NameRollup[] | null): void {
    if (this.entries >= this.maxEntries) {
      // Crude but bounded: start over rather than grow.
      for (const entry of this.tenants.values()) entry.names.clear();
      this.entries = 0;
    }
    if (!names.has(key)) this.entries += 1;
    names.set(key, value);
  }
}

/** Whether a bucket ending at `endMinute` (exclusive) can change only through a late write. */
export const isSettled = (endMinute: number, nowMs: number): boolean => endMinute <= Math.floor(nowMs / 60_000) - 2;
