import { AsyncLocalStorage } from 'node:async_hooks';
import type { TenantId } from '@tally/tenant-scope';
import type { ResolvedTenant } from '../directory/tenant-records';

interface TenantSlot {
  tenant?: ResolvedTenant;
}

/**
 * The tenant of the request being served, for code deep in a call chain. A slot is
 * opened per request (by `TenantContextMiddleware`) before any guard runs; the guard
 * that resolves the key fills it. Filling an open slot, rather than entering a new
 * context inside the guard, is what makes the tenant visible to the handler: a
 * context entered inside a guard would end when the guard returns.
 */
const storage = new AsyncLocalStorage<TenantSlot>();

export const runWithTenantSlot = <T>(fn: () => T): T => storage.run({}, fn);

export function fillTenantSlot(tenant: ResolvedTenant): void {
  const slot = storage.getStore();
  if (slot) slot.tenant = tenant;
}

export const currentTenant = (): ResolvedTenant | undefined => storage.getStore()?.tenant;

/** The current tenant's id; throws outside an authenticated request rather than guess. */
export function currentTenantId(): TenantId {
  const tenant = currentTenant();
  if (!tenant) throw new Error('no tenant in context: this code must run behind a key guard');
  return tenant.tenantId;
}
