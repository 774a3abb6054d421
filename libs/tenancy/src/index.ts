export {
  TenantAdminService,
  TenantNotFoundError,
  type CreatedTenant,
  type TenantSummary,
} from './lib/admin/tenant-admin.service';
export { currentTenant, currentTenantId } from './lib/context/tenant-context';
export { TENANT_CHANGES_CHANNEL, announceTenantChange } from './lib/directory/tenant-changes.channel';
export { TenantDirectory } from './lib/directory/tenant-directory';
export { API_KEYS_COLLECTION, TENANTS_COLLECTION, type ResolvedTenant } from './lib/directory/tenant-records';
export { TenantStore } from './lib/directory/tenant-store';
export { AdminTokenGuard, TENANCY_CONFIG } from './lib/guards/admin-token.guard';
export { ReadKeyGuard, WriteKeyGuard } from './lib/guards/key-guards';
export { CurrentTenant, type RequestWithTenant } from './lib/guards/request-tenant';
export { hashApiKey } from './lib/keys/api-key';
export { extractApiKey, extractBearer } from './lib/keys/extract-key.util';
export { RateLimiter, rateLimitHeaders, type BucketLimit, type QuotaDecision } from './lib/quotas/rate-limiter';
// Moved to @tally/tenant-scope; still exported here so existing imports keep working.
export { newTenantId, parseTenantId, tenantFilter, tenantKey, type TenantId } from '@tally/tenant-scope';
export { TenancyModule } from './lib/tenancy.module';
