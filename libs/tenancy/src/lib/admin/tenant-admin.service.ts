import type Redis from 'ioredis';
import type { QuotaSettings } from '@tally/config';
import type { KeyScope } from '@tally/contracts';
import { newTenantId, type TenantId } from '@tally/tenant-scope';
import { displayPrefixOf, hashApiKey, newApiKey } from '../keys/api-key';
import { announceTenantChange } from '../directory/tenant-changes.channel';
import type { TenantRecord } from '../directory/tenant-records';
import type { TenantStore } from '../directory/tenant-store';

export interface CreatedTenant {
  readonly tenantId: TenantId;
  readonly name: string;
  /** Shown this once; only hashes are stored. */
  readonly writeKey: string;
  readonly readKey: string;
}

export interface TenantSummary {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly status: TenantRecord['status'];
  readonly createdAt: string;
  readonly quotas: Partial<QuotaSettings>;
}

export class TenantNotFoundError extends Error {
  constructor(readonly tenantId: string) {
    super(`no tenant ${tenantId}`);
    this.name = 'TenantNotFoundError';
  }
}

/**
 * Provisioning, shared by the CLI (`npm run tenant`) and the admin HTTP API. Every
 * change is announced on the tenant-changes channel so all replicas stop trusting
 * cached keys at once.
 */
export class TenantAdminService {
  constructor(
    private readonly store: TenantStore,
    private readonly redis: Redis,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(name: string, quotas: Partial<QuotaSettings> = {}): Promise<CreatedTenant> {
    const at = this.now();
    const tenantId = newTenantId();
    await this.store.insertTenant({ _id: tenantId, name, status: 'active', createdAt: at, updatedAt: at, quotas });
    const writeKey = await this.issueKey(tenantId, 'write', at);
    const readKey = await this.issueKey(tenantId, 'read', at);
    return { tenantId, name, writeKey, readKey };
  }

  async list(): Promise<TenantSummary[]> {
    return (await this.store.listTenants()).map(summaryOf);
  }

  async get(tenantId: TenantId): Promise<TenantSummary> {
    return summaryOf(await this.existing(tenantId));
  }

  /** A new key for the scope; the previous keys of that scope stop working. */
  async rotateKey(tenantId: TenantId, scope: KeyScope): Promise<{ tenantId: TenantId; scope: KeyScope; key: string }> {
    await this.existing(tenantId);
    const at = this.now();
    await this.store.revokeKeys(tenantId, scope, at);
    const key = await this.issueKey(tenantId, scope, at);
    await announceTenantChange(this.redis, tenantId);
    return { tenantId, scope, key };
  }

  async disable(tenantId: TenantId): Promise<TenantSummary> {
    if (!(await this.store.setStatus(tenantId, 'disabled', this.now()))) throw new TenantNotFoundError(tenantId);
    await announceTenantChange(this.redis, tenantId);
    return this.get(tenantId);
  }

  async enable(tenantId: TenantId): Promise<TenantSummary> {
    if (!(await this.store.setStatus(tenantId, 'active', this.now()))) throw new TenantNotFoundError(tenantId);
    await announceTenantChange(this.redis, tenantId);
    return this.get(tenantId);
  }

  async setQuotas(tenantId: TenantId, quotas: Partial<QuotaSettings>): Promise<TenantSummary> {
    if (!(await this.store.setQuotas(tenantId, quotas, this.now()))) throw new TenantNotFoundError(tenantId);
    await announceTenantChange(this.redis, tenantId);
    return this.get(tenantId);
  }

  private async existing(tenantId: TenantId): Promise<TenantRecord> {
    const tenant = await this.store.findTenant(tenantId);
    if (!tenant) throw new TenantNotFoundError(tenantId);
    return tenant;
  }

  private async issueKey(tenantId: TenantId, scope: KeyScope, at: Date): Promise<string> {
    const key = newApiKey(scope);
    await this.store.insertKey({ _id: hashApiKey(key), tenantId, scope, prefix: displayPrefixOf(key), createdAt: at });
    return key;
  }
}

const summaryOf = (t: TenantRecord): TenantSummary => ({
  tenantId: t._id,
  name: t.name,
  status: t.status,
  createdAt: t.createdAt.toISOString(),
  quotas: t.quotas ?? {},
});
