import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { realtimeKeys } from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';

/**
 * Claims a place for a new stream among the tenant's open ones on every replica:
 * lapsed claims (a replica that died without giving its places back) are dropped
 * first, then the stream is admitted only while fewer than the bound are open.
 * KEYS[1] = the tenant's streams ZSET; ARGV = now ms, lapses-at ms, bound, stream id, key TTL ms.
 */
const CLAIM_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type RedisWithClaim = Redis & { tallyClaimLiveStream(numKeys: number, ...args: (string | number)[]): Promise<number> };

/** How long a claim lives without renewal: a replica renews its streams' claims several times within it. */
export const STREAM_CLAIM_TTL_MS = 15_000;

/**
 * The bound on a tenant's open `/v1/live` streams across all replicas, kept in Redis:
 * each replica renews the claims of the streams it holds, so the places of a replica
 * that died come back within `STREAM_CLAIM_TTL_MS`.
 */
@Injectable()
export class LiveStreamRegistry {
  private readonly redis: RedisWithClaim;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    if (!('tallyClaimLiveStream' in redis)) redis.defineCommand('tallyClaimLiveStream', { lua: CLAIM_LUA });
    this.redis = redis as RedisWithClaim;
  }

  /** The new stream's id, or undefined when the tenant already holds `bound` streams. */
  async claim(tenantId: TenantId, bound: number, nowMs = Date.now()): Promise<string | undefined> {
    const id = randomUUID();
    const admitted = await this.redis.tallyClaimLiveStream(
      1,
      realtimeKeys.liveStreams(tenantId),
      nowMs,
      nowMs + STREAM_CLAIM_TTL_MS,
      bound,
      id,
      STREAM_CLAIM_TTL_MS * 2,
    );
    return admitted === 1 ? id : undefined;
  }

  /** Keeps the claims of streams still open on this replica (only those still claimed: XX). */
  async renew(tenantId: TenantId, ids: readonly string[], nowMs = Date.now()): Promise<void> {
    if (ids.length === 0) return;
    const key = realtimeKeys.liveStreams(tenantId);
    const lapsesAt = nowMs + STREAM_CLAIM_TTL_MS;
    await this.redis
      .multi()
      .zadd(key, 'XX', ...ids.flatMap((id) => [lapsesAt, id]))
      .pexpire(key, STREAM_CLAIM_TTL_MS * 2)
      .exec();
  }

  async release(tenantId: TenantId, id: string): Promise<void> {
    await this.redis.zrem(realtimeKeys.liveStreams(tenantId), id);
  }
}
