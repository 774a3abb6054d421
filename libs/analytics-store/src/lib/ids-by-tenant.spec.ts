import type { TenantId } from '@tally/tenant-scope';
import { idsByTenant } from './ids-by-tenant';

describe('idsByTenant', () => {
  it("groups the documents' ids by tenant, in order", () => {
    const a = 't_a' as TenantId;
    const b = 't_b' as TenantId;
    const grouped = idsByTenant([
      { _id: 'a1', tenantId: a },
      { _id: 'b1', tenantId: b },
      { _id: 'a2', tenantId: a },
    ]);
    expect([...grouped]).toEqual([
      [a, ['a1', 'a2']],
      [b, ['b1']],
    ]);
  });
});
