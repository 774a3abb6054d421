import type { TenantId } from '@tally/tenant-scope';

/**
 * The `_id`s of these documents, grouped by tenant. Reads and deletes by `_id` go one
 * tenant at a time with the tenant id in the filter: FerretDB hands a top-level equality
 * to its storage, where an `_id` `$in` alone makes it fetch and test the whole collection.
 */
export function idsByTenant(
  documents: Iterable<{ readonly _id: string; readonly tenantId: TenantId }>,
): Map<TenantId, string[]> {
  const grouped = new Map<TenantId, string[]>();
  for (const { _id, tenantId } of documents) {
    const ids = grouped.get(tenantId);
    if (ids) ids.push(_id);
    else grouped.set(tenantId, [_id]);
  }
  return grouped;
}
