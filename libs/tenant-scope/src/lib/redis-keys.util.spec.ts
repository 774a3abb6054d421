import { newTenantId } from './tenant-id';
import { hashTag, platformKey, tenantKey } from './redis-keys.util';

describe('Redis keys', () => {
  const tenant = newTenantId();

  it('namespaces tenant keys by tenant inside a cluster hash tag', () => {
    expect(tenantKey(tenant, 'count', 'minute', 5)).toBe(`t:{${tenant}}:count:minute:5`);
    expect(tenantKey(tenant)).toBe(`t:{${tenant}}`);
    expect(() => tenantKey(tenant, 'a}b')).toThrow('key parts may not contain braces');
  });

  it('joins platform keys as given, with a hash tag only where one is asked for', () => {
    expect(platformKey('agg', 'leader')).toBe('agg:leader');
    expect(platformKey('proc', hashTag('workers'), 'applied', 'events', 3)).toBe('proc:{workers}:applied:events:3');
    expect(() => platformKey('agg', '{x}')).toThrow('key parts may not contain braces');
    expect(() => platformKey(hashTag('a{b'))).toThrow('key parts may not contain braces');
  });
});
