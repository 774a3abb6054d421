import type { TenantId } from './tenant-id';

declare const tenantKeyBrand: unique symbol;
declare const platformKeyBrand: unique symbol;

/** A Redis key of one tenant's data. The only way to get one is `tenantKey()`. */
export type TenantKey = string & { readonly [tenantKeyBrand]: true };

/**
 * A Redis key of the platform's own state, which belongs to no tenant (the leader lock,
 * the set of dirty tenants, the partition marks). The only way to get one is
 * `platformKey()`, so a global key is named as such where it is defined.
 */
export type PlatformKey = string & { readonly [platformKeyBrand]: true };

/** What Redis access takes: a key built by one of the two builders, never a bare string. */
export type RedisKey = TenantKey | PlatformKey;

/** A key part written as a `{hash tag}`: Redis Cluster puts every key with the same tag on one slot. */
export interface HashTag {
  readonly hashTag: string;
}

export const hashTag = (value: string): HashTag => ({ hashTag: value });

/**
 * A Redis key namespaced by tenant. The tenant sits in a `{hash tag}` so every key of
 * one tenant lands on the same Redis Cluster slot (multi-key commands stay possible).
 */
export function tenantKey(tenantId: TenantId, ...parts: readonly (string | number)[]): TenantKey {
  return joinKey(['t', hashTag(tenantId), ...parts]) as TenantKey;
}

/**
 * A Redis key outside every tenant's namespace. A `hashTag(…)` part keeps keys that one
 * script touches together on one Redis Cluster slot.
 */
export function platformKey(...parts: readonly (string | number | HashTag)[]): PlatformKey {
  return joinKey(parts) as PlatformKey;
}

/** Braces only ever come from a `HashTag`: which part picks a key's Redis Cluster slot is visible where it is built. */
function joinKey(parts: readonly (string | number | HashTag)[]): string {
  return parts
    .map((part) => (typeof part === 'object' ? `{${braceless(part.hashTag)}}` : braceless(String(part))))
    .join(':');
}

function braceless(part: string): string {
  if (part.includes('{') || part.includes('}')) throw new Error('key parts may not contain braces');
  return part;
}
