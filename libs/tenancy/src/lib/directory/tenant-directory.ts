import type Redis from 'ioredis';
import type { TenancyConfig } from '@tally/config';
import { hashApiKey } from '../keys/api-key';
import { TENANT_CHANGES_CHANNEL } from './tenant-changes.channel';
import type { ResolvedTenant } from './tenant-records';
import type { TenantStore } from './tenant-store';

interface CacheEntry {
  readonly value: ResolvedTenant | null;
  readonly expiresAt: number;
}

const MAX_ENTRIES = 10_000;
/** Unknown keys are remembered briefly so a flood of bad keys does not become a flood of reads. */
const NEGATIVE_TTL_MS = 1_000;

/**
 * Resolves an API key to its tenant. Every request needs this, so resolutions are
 * cached in-process — for `cacheTtlMs` at most, and dropped on every replica as soon
 * as a change is announced on the tenant-changes channel.
 */
export class TenantDirectory {
  private readonly cache = new Map<string, CacheEntry>();
  private subscriber: Redis | undefined;

  constructor(
    private readonly store: TenantStore,
    private readonly config: TenancyConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes to change announcements on a dedicated connection (a subscribed connection can do nothing else). */
  async listenForChanges(redis: Redis): Promise<void> {
    this.subscriber = redis.duplicate({ connectionName: 'tenancy-changes' });
    this.subscriber.on('message', () => this.cache.clear());
    // After a reconnect we may have missed announcements: forget everything.
    this.subscriber.on('ready', () => this.cache.clear());
    await this.subscriber.subscribe(TENANT_CHANGES_CHANNEL);
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  async resolve(apiKey: string): Promise<ResolvedTenant | null> {
    const keyHash = hashApiKey(apiKey);
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > this.now()) return cached.value;

    const value = await this.lookUp(keyHash);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    const ttl = value ? this.config.cacheTtlMs : Math.min(NEGATIVE_TTL_MS, this.config.cacheTtlMs);
    this.cache.set(keyHash, { value, expiresAt: this.now() + ttl });
    return value;
  }

  private async lookUp(keyHash: string): Promise<ResolvedTenant | null> {
    const key = await this.store.findKey(keyHash);
    if (!key || key.revokedAt) return null;
    const tenant = await this.store.findTenant(key.tenantId);
    if (!tenant || tenant.status !== 'active') return null;
    return {
      tenantId: tenant._id,
      name: tenant.name,
      scope: key.scope,
      quotas: { ...this.config.defaultQuotas, ...tenant.quotas },
    };
  }
}
