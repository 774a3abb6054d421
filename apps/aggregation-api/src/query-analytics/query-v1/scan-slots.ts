import type { TenantId } from '@tally/tenant-scope';
import { QuerySlots } from '../query-slots.limiter';

/** No scan slot was free: the answer is a 429 with `Retry-After` (slots free up as scans end, within seconds). */
export class ScanSlotsFull extends Error {
  readonly retryAfterSeconds = 1;
}

/**
 * Scans running at once on this replica: at most `perTenant` of one tenant and
 * `perReplica` in all, so one tenant's scans never take every scan a replica runs, and
 * the replica's event loop is never shared by more than a few folds (0009 section 5).
 */
export class ScanSlots {
  private readonly byTenant: QuerySlots;
  private running = 0;

  constructor(
    readonly perTenant: number,
    readonly perReplica: number,
  ) {
    this.byTenant = new QuerySlots(perTenant);
  }

  /** A slot, as the function that gives it back (once), or undefined if none is free. */
  take(tenantId: TenantId): (() => void) | undefined {
    if (this.running >= this.perReplica) return undefined;
    const giveBack = this.byTenant.take(tenantId);
    if (giveBack === undefined) return undefined;
    this.running++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.running--;
      giveBack();
    };
  }
}
