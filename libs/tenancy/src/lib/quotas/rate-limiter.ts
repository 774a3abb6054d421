import type Redis from 'ioredis';
import { tenantKey, type TenantId } from '@tally/tenant-scope';
import { TOKEN_BUCKET_LUA } from './token-bucket.lua';

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

interface WithTokenBucket {
  /** Flat list: allowed, remaining, wait ms and reset ms for each cost, in order. */
  tallyTokenBucket(key: string, rate: number, capacity: number, ...costs: number[]): Promise<number[]>;
}

interface Take {
  readonly cost: number;
  readonly resolve: (decision: QuotaDecision) => void;
}

/** One bucket (with one limit) that has a call in flight, and the takes that came meanwhile. */
interface Line {
  readonly key: string;
  readonly limit: BucketLimit;
  waiting: Take[];
}

/** Most takes sent in one call; more wait for the next. */
const MAX_TAKES_PER_CALL = 500;

/**
 * Per-tenant token buckets in Redis, shared by every replica. Takes of one bucket
 * coalesce: while a call for it is in flight, later takes wait and go together in the
 * next call, which grants them in arrival order exactly as separate calls would. A busy
 * tenant then costs a few Redis calls per round trip rather than one per request.
 *
 * If Redis cannot answer, the request is let through (and `onUnavailable` told): quotas
 * protect the platform from one tenant, they must not turn a Redis blip into an outage
 * for every tenant.
 */
export class RateLimiter {
  private readonly buckets: WithTokenBucket;
  private readonly lines = new Map<string, Line>();

  constructor(
    redis: Redis,
    private readonly onUnavailable: (error: unknown) => void = () => undefined,
  ) {
    // A defined command runs by EVALSHA (the script is sent once, not per request).
    if (!('tallyTokenBucket' in redis))
      redis.defineCommand('tallyTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    this.buckets = redis as unknown as WithTokenBucket;
  }

  take(tenantId: TenantId, bucket: string, limit: BucketLimit, cost = 1): Promise<QuotaDecision> {
    // A request larger than the whole bucket could never pass; it waits for a full bucket instead.
    const effectiveCost = Math.min(cost, limit.capacity);
    const key = tenantKey(tenantId, 'quota', bucket);
    const lineKey = `${key}|${limit.ratePerSecond}|${limit.capacity}`;
    return new Promise((resolve) => {
      const take = { cost: effectiveCost, resolve };
      const line = this.lines.get(lineKey);
      if (line) {
        line.waiting.push(take);
        return;
      }
      const started: Line = { key, limit, waiting: [] };
      this.lines.set(lineKey, started);
      void this.send(lineKey, started, [take]);
    });
  }

  /** One call for `takes`; then the next call for whatever queued meanwhile, until none did. */
  private async send(lineKey: string, line: Line, takes: Take[]): Promise<void> {
    for (let batch = takes; batch.length > 0; batch = this.nextBatch(lineKey, line)) {
      const { limit } = line;
      let replies: number[] | undefined;
      try {
        replies = await this.buckets.tallyTokenBucket(
          line.key,
          limit.ratePerSecond,
          limit.capacity,
          ...batch.map((t) => t.cost),
        );
      } catch (error) {
        this.onUnavailable(error);
      }
      batch.forEach((take, i) => take.resolve(decisionOf(limit, replies, i)));
    }
  }

  private nextBatch(lineKey: string, line: Line): Take[] {
    const batch = line.waiting.splice(0, MAX_TAKES_PER_CALL);
    if (batch.length === 0) this.lines.delete(lineKey);
    return batch;
  }
}

/** Take `index`'s decision from a call's replies; none (Redis did not answer) lets it through. */
function decisionOf(limit: BucketLimit, replies: number[] | undefined, index: number): QuotaDecision {
  if (replies === undefined || replies.length < index * 4 + 4) {
    return { allowed: true, limit: limit.capacity, remaining: limit.capacity, retryAfterSeconds: 0, resetSeconds: 0 };
  }
  const [allowed, remaining, waitMs, resetMs] = replies.slice(index * 4, index * 4 + 4) as [
    number,
    number,
    number,
    number,
  ];
  return {
    allowed: allowed === 1,
    limit: limit.capacity,
    remaining,
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    resetSeconds: Math.ceil(resetMs / 1000),
  };
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
