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

export const keyScopeParamSchema = z.enum(['write', 'read'], { message: 'scope must be write or read' });
