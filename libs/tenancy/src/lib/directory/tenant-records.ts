import type { QuotaSettings } from '@tally/config';
import type { KeyScope } from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';

export type TenantStatus = 'active' | 'disabled';

/** `tenants` collection. */
export interface TenantRecord {
  _id: TenantId;
  name: string;
  status: TenantStatus;
  createdAt: Date;
  updatedAt: Date;
  /** Per-tenant overrides of the platform's default quotas. */
  quotas?: Partial<QuotaSettings>;
}

/** `api_keys` collection: the key itself is never stored, only its SHA-256. */
export interface ApiKeyRecord {
  _id: string;
  tenantId: TenantId;
  scope: KeyScope;
  prefix: string;
  createdAt: Date;
  revokedAt?: Date;
}

export const TENANTS_COLLECTION = 'tenants';
export const API_KEYS_COLLECTION = 'api_keys';

/** A key resolved to its tenant: what guards hand to the rest of a request. */
export interface ResolvedTenant {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly scope: KeyScope;
  readonly quotas: QuotaSettings;
}
