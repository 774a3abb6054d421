import { newTenantId, parseTenantId } from './tenant-id';

describe('tenant ids', () => {
  it('mints ids that parse, and refuses anything else', () => {
    const tenant = newTenantId();
    expect(parseTenantId(tenant)).toBe(tenant);
    expect(parseTenantId('t_short')).toBeUndefined();
    expect(parseTenantId({ $ne: null })).toBeUndefined();
  });

  it('mints a different id every time', () => {
    expect(newTenantId()).not.toBe(newTenantId());
  });
});
