import { z } from 'zod';

/** Admin API and CLI requests for provisioning tenants. */
export const quotaOverridesSchema = z
  .object({
    ingestEventsPerSecond: z.number().int().min(1).max(10_000_000),
    ingestBurst: z.number().int().min(1).max(10_000_000),
    queriesPerMinute: z.number().int().min(1).max(10_000_000),
  })
  .partial()
  .strict();

export const createTenantRequestSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    quotas: quotaOverridesSchema.optional(),
  })
  .strict();

export type CreateTenantRequest = z.output<typeof createTenantRequestSchema>;

/** What a key may do: write = ingest only, read = queries only. */
export const KEY_SCOPES = ['write', 'read'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export const keyScopeParamSchema = z.enum(KEY_SCOPES, { message: `scope must be ${KEY_SCOPES.join(' or ')}` });
