import { Injectable } from '@nestjs/common';
import { realtimeKeys } from '@tally/analytics-store';
import type { TenantId } from '@tally/tenant-scope';
import { TenantClaims } from '../claims/tenant-claims';

/** How long a claim lives without renewal: a replica renews its streams' claims several times within it. */
export const STREAM_CLAIM_TTL_MS = 15_000;

/**
 * The bound on a tenant's open `/v1/live` streams across all replicas, kept in Redis:
 * each replica renews the claims of the streams it holds, so the places of a replica
 * that died come back within `STREAM_CLAIM_TTL_MS`.
 */
@Injectable()
export class LiveStreamRegistry {
  constructor(private readonly claims: TenantClaims) {}

  /** The new stream's id, or undefined when the tenant already holds `bound` streams. */
  claim(tenantId: TenantId, bound: number, nowMs = Date.now()): Promise<string | undefined> {
    return this.claims.claim(realtimeKeys.liveStreams(tenantId), bound, STREAM_CLAIM_TTL_MS, nowMs);
  }

  /** Keeps the claims of streams still open on this replica. */
  renew(tenantId: TenantId, ids: readonly string[], nowMs = Date.now()): Promise<void> {
    return this.claims.renew(realtimeKeys.liveStreams(tenantId), ids, STREAM_CLAIM_TTL_MS, nowMs);
  }

  release(tenantId: TenantId, id: string): Promise<void> {
    return this.claims.release(realtimeKeys.liveStreams(tenantId), id);
  }
}
