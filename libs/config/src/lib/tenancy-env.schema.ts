import { z } from 'zod';
import { secretTokenField } from './env-fields.schema';

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).max(10_000_000).default(fallback);

/**
 * Tenancy variables: the platform admin token and the default quotas every tenant
 * gets unless its own record overrides them.
 */
export const tenancyEnvFields = {
  /** Unset: the admin HTTP API answers 503. Set: at least 32 characters, not a placeholder (secretTokenField). */
  ADMIN_TOKEN: secretTokenField(32).optional(),
  QUOTA_INGEST_EVENTS_PER_SECOND: positiveInt(1_000),
  QUOTA_INGEST_BURST: positiveInt(5_000),
  QUOTA_QUERIES_PER_MINUTE: positiveInt(600),
  /** How long a resolved key is trusted before it is looked up again (revocations also push). */
  TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
};

export interface QuotaSettings {
  readonly ingestEventsPerSecond: number;
  readonly ingestBurst: number;
  readonly queriesPerMinute: number;
}

export interface TenancyConfig {
  readonly adminToken: string | undefined;
  readonly defaultQuotas: QuotaSettings;
  readonly cacheTtlMs: number;
}

export const tenancyConfigFrom = (env: {
  ADMIN_TOKEN?: string | undefined;
  QUOTA_INGEST_EVENTS_PER_SECOND: number;
  QUOTA_INGEST_BURST: number;
  QUOTA_QUERIES_PER_MINUTE: number;
  TENANT_CACHE_TTL_MS: number;
}): TenancyConfig => ({
  adminToken: env.ADMIN_TOKEN,
  defaultQuotas: {
    ingestEventsPerSecond: env.QUOTA_INGEST_EVENTS_PER_SECOND,
    ingestBurst: env.QUOTA_INGEST_BURST,
    queriesPerMinute: env.QUOTA_QUERIES_PER_MINUTE,
  },
  cacheTtlMs: env.TENANT_CACHE_TTL_MS,
});
