import { newTenantId, parseTenantId } from './tenant-id';
import { tenantFilter, tenantKey } from './tenant-scope.util';

describe('tenant scoping', () => {
  const tenant = newTenantId();

  it('mints ids that parse, and refuses anything else', () => {
    expect(parseTenantId(tenant)).toBe(tenant);
    expect(parseTenantId('t_short')).toBeUndefined();
    expect(parseTenantId({ $ne: null })).toBeUndefined();
  });

  it('adds the tenant to every filter, and a caller cannot override it', () => {
    const other = newTenantId();
    expect(tenantFilter(tenant, { event: 'x' })).toEqual({ event: 'x', tenantId: tenant });
    expect(tenantFilter(tenant, { tenantId: other } as never)).toEqual({ tenantId: tenant });
  });

  it('namespaces Redis keys by tenant inside a cluster hash tag', () => {
    expect(tenantKey(tenant, 'count', 'minute', 5)).toBe(`t:{${tenant}}:count:minute:5`);
    expect(() => tenantKey(tenant, 'a}b')).toThrow();
  });
});
