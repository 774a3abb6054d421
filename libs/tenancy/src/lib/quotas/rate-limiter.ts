import type Redis from 'ioredis';
import { TOKEN_BUCKET_LUA } from './token-bucket.lua';
import { tenantKey } from '../scoping/tenant-scope.util';
import type { TenantId } from '../scoping/tenant-id';

export interface BucketLimit {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the burst a tenant may send at once. */
  readonly capacity: number;
}

export interface QuotaDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the request would be affordable (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

type BucketReply = [number, number, number, number];

interface WithTokenBucket {
  tallyTokenBucket(key: string, rate: number, capacity: number, cost: number): Promise<BucketReply>;
}

/**
 * Per-tenant token buckets in Redis. If Redis cannot answer, the request is let
 * through (and `onUnavailable` told): quotas protect the platform from one tenant,
 * they must not turn a Redis blip into an outage for every tenant.
 */
export class RateLimiter {
  private readonly buckets: WithTokenBucket;

  constructor(
    redis: Redis,
    private readonly onUnavailable: (error: unknown) => void = () => undefined,
  ) {
    // A defined command runs by EVALSHA (the script is sent once, not per request).
    if (!('tallyTokenBucket' in redis))
      redis.defineCommand('tallyTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    this.buckets = redis as unknown as WithTokenBucket;
  }

  async take(tenantId: TenantId, bucket: string, limit: BucketLimit, cost = 1): Promise<QuotaDecision> {
    // A request larger than the whole bucket could never pass; it waits for a full bucket instead.
    const effectiveCost = Math.min(cost, limit.capacity);
    try {
      const [allowed, remaining, waitMs, resetMs] = await this.buckets.tallyTokenBucket(
        tenantKey(tenantId, 'quota', bucket),
        limit.ratePerSecond,
        limit.capacity,
        effectiveCost,
      );
      return {
        allowed: allowed === 1,
        limit: limit.capacity,
        remaining,
        retryAfterSeconds: Math.ceil(waitMs / 1000),
        resetSeconds: Math.ceil(resetMs / 1000),
      };
    } catch (error) {
      this.onUnavailable(error);
      return { allowed: true, limit: limit.capacity, remaining: limit.capacity, retryAfterSeconds: 0, resetSeconds: 0 };
    }
  }
}

/** The standard rate-limit headers for a decision; `Retry-After` only when refused. */
export function rateLimitHeaders(decision: QuotaDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.resetSeconds),
    ...(decision.allowed ? {} : { 'Retry-After': String(Math.max(1, decision.retryAfterSeconds)) }),
  };
}
