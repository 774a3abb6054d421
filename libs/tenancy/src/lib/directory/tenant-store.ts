import type { Db } from 'mongodb';
import type { QuotaSettings } from '@tally/config';
import type { KeyScope } from '@tally/contracts';
import {
  platformCollection,
  tenantCollection,
  tenantFilter,
  type PlatformCollection,
  type TenantCollection,
  type TenantId,
} from '@tally/tenant-scope';
import { API_KEYS_COLLECTION, TENANTS_COLLECTION, type ApiKeyRecord, type TenantRecord } from './tenant-records';

/**
 * The tenants and their keys in MongoDB. Only plain equality filters and `$set`
 * updates: the subset MongoDB and FerretDB share, and equality is what FerretDB
 * pushes down to its SQL index.
 */
export class TenantStore {
  /** Platform-wide by nature: a record is the tenant itself (its `_id`), and the list spans them all. */
  private readonly tenants: PlatformCollection<TenantRecord>;
  private readonly keys: TenantCollection<ApiKeyRecord>;
  /** Cross-tenant by nature: a caller's key is what tells which tenant it is. */
  private readonly keysByHash: PlatformCollection<ApiKeyRecord>;

  constructor(db: Db) {
    this.tenants = platformCollection<TenantRecord>(db, TENANTS_COLLECTION);
    this.keys = tenantCollection<ApiKeyRecord>(db, API_KEYS_COLLECTION);
    this.keysByHash = platformCollection<ApiKeyRecord>(db, API_KEYS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.keys.createIndexes([{ key: { tenantId: 1, scope: 1 } }]);
  }

  findKey(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.keysByHash.findOne({ _id: keyHash });
  }

  findTenant(tenantId: TenantId): Promise<TenantRecord | null> {
    return this.tenants.findOne({ _id: tenantId });
  }

  listTenants(): Promise<TenantRecord[]> {
    return this.tenants.find({}).sort({ createdAt: 1 }).toArray();
  }

  async insertTenant(record: TenantRecord): Promise<void> {
    await this.tenants.insertOne(record);
  }

  async insertKey(record: ApiKeyRecord): Promise<void> {
    await this.keys.insertOne(record);
  }

  /** Revokes every live key of one scope of one tenant; returns how many. */
  async revokeKeys(tenantId: TenantId, scope: KeyScope, at: Date): Promise<number> {
    const live = await this.keys.find(tenantFilter(tenantId, { scope })).toArray();
    const toRevoke = live.filter((k) => !k.revokedAt);
    for (const key of toRevoke) {
      await this.keys.updateOne(tenantFilter(tenantId, { _id: key._id }), { $set: { revokedAt: at } });
    }
    return toRevoke.length;
  }

  async setStatus(tenantId: TenantId, status: TenantRecord['status'], at: Date): Promise<boolean> {
    const result = await this.tenants.updateOne({ _id: tenantId }, { $set: { status, updatedAt: at } });
    return result.matchedCount === 1;
  }

  async setQuotas(tenantId: TenantId, quotas: Partial<QuotaSettings>, at: Date): Promise<boolean> {
    const result = await this.tenants.updateOne({ _id: tenantId }, { $set: { quotas, updatedAt: at } });
    return result.matchedCount === 1;
  }
}
