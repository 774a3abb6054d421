import { newTenantId, type TenantId } from './tenant-id';
import { tenantFilter } from './tenant-filter.util';

interface Event {
  readonly tenantId: TenantId;
  readonly event: string;
}

describe('tenantFilter', () => {
  const tenant = newTenantId();

  it('adds the tenant to every filter, and a caller cannot override it', () => {
    const other = newTenantId();
    expect(tenantFilter<Event>(tenant, { event: 'x' })).toEqual({ event: 'x', tenantId: tenant });
    expect(tenantFilter<Event>(tenant, { tenantId: other })).toEqual({ tenantId: tenant });
  });

  it('is the tenant alone without a filter', () => {
    expect(tenantFilter<Event>(tenant)).toEqual({ tenantId: tenant });
  });
});
