import type Redis from 'ioredis';

/**
 * Redis pub/sub channel on which any change to a tenant or key is announced, so every
 * replica drops its cached resolutions at once. The cache TTL bounds staleness even if
 * a message is lost (Redis restarting, a replica reconnecting).
 */
export const TENANT_CHANGES_CHANNEL = 'tally:tenancy:changed';

export async function announceTenantChange(redis: Redis, tenantId: string): Promise<void> {
  await redis.publish(TENANT_CHANGES_CHANNEL, tenantId);
}
