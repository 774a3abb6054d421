import type { TenantId } from '@tally/tenant-scope';

/**
 * How many uncached answers each tenant may have being computed at once on this replica.
 * The query quota bounds how many queries a tenant asks per minute, not how many run at
 * once: without this, one tenant's burst of expensive misses (cold rollup scans, long
 * series) fills the event loop and the stores' queues, and every other tenant's answers
 * wait behind it.
 */
export class QuerySlots {
  private readonly held = new Map<TenantId, number>();

  constructor(readonly maxPerTenant: number) {}

  /** Takes one of the tenant's slots: the function that gives it back (once), or undefined if none is free. */
  take(tenantId: TenantId): (() => void) | undefined {
    const held = this.held.get(tenantId) ?? 0;
    if (held >= this.maxPerTenant) return undefined;
    this.held.set(tenantId, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.held.get(tenantId) ?? 1) - 1;
      if (left > 0) this.held.set(tenantId, left);
      else this.held.delete(tenantId); // no entry kept for a tenant with nothing running
    };
  }

  /** Slots the tenant holds now. */
  heldBy(tenantId: TenantId): number {
    return this.held.get(tenantId) ?? 0;
  }
}
