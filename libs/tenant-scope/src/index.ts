export { newTenantId, parseTenantId, type TenantId } from './lib/tenant-id';
export {
  hashTag,
  platformKey,
  tenantKey,
  type HashTag,
  type PlatformKey,
  type RedisKey,
  type TenantKey,
} from './lib/redis-keys.util';
export { tenantFilter, type TenantFilter, type TenantOwned } from './lib/tenant-filter.util';
export {
  platformCollection,
  tenantCollection,
  type PlatformCollection,
  type TenantCollection,
} from './lib/scoped-collection';
