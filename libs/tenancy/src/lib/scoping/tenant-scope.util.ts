import type { Document, Filter } from 'mongodb';
import type { TenantId } from './tenant-id';

/**
 * Builds a MongoDB filter that always includes the tenant. The tenant condition is
 * applied last, so a caller's filter can never widen or replace it.
 */
export function tenantFilter<T extends Document>(tenantId: TenantId, filter: Filter<T> = {}): Filter<T> {
  return { ...filter, tenantId } as Filter<T>;
}

/**
 * A Redis key namespaced by tenant. The tenant sits in a `{hash tag}` so every key of
 * one tenant lands on the same Redis Cluster slot (multi-key commands stay possible).
 */
export function tenantKey(tenantId: TenantId, ...parts: readonly (string | number)[]): string {
  for (const part of parts) {
    if (String(part).includes('{') || String(part).includes('}')) throw new Error('key parts may not contain braces');
  }
  return ['t', `{${tenantId}}`, ...parts.map(String)].join(':');
}
