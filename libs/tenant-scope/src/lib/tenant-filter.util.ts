import type { Filter } from 'mongodb';
import type { TenantId } from './tenant-id';

/** What a tenant-scoped document is: it names its tenant. */
export type TenantOwned = { readonly tenantId: TenantId };

declare const tenantFilterBrand: unique symbol;

/**
 * A MongoDB filter that includes the tenant. The only way to get one is `tenantFilter()`,
 * and a `TenantCollection` takes no other, so an unscoped query does not compile.
 */
export type TenantFilter<T extends TenantOwned> = Filter<T> & { readonly [tenantFilterBrand]: true };

/**
 * Builds a MongoDB filter that always includes the tenant. The tenant condition is
 * applied last, so a caller's filter can never widen or replace it.
 */
export function tenantFilter<T extends TenantOwned>(tenantId: TenantId, filter: Filter<T> = {}): TenantFilter<T> {
  return { ...filter, tenantId } as TenantFilter<T>;
}
