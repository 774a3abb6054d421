import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantKey } from '@tally/tenant-scope';

/**
 * Claims a place among the holders of one tenant-wide bound, on every replica at once:
 * lapsed claims (a replica that died without giving its places back) are dropped first,
 * then the claim is admitted only while fewer than the bound are held.
 * KEYS[1] = the claims ZSET; ARGV = now ms, lapses-at ms, bound, claim id, key TTL ms.
 */
const CLAIM_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type RedisWithClaim = Redis & { tallyClaimPlace(numKeys: number, ...args: (string | number)[]): Promise<number> };

/**
 * Bounds shared by every aggregation-api replica (a tenant's live streams, its scans),
 * kept as claims in a Redis sorted set scored by when each lapses: a holder renews its
 * claims or gives them back, and the places of a replica that died come back when its
 * claims lapse.
 */
@Injectable()
export class TenantClaims {
  private readonly redis: RedisWithClaim;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    if (!('tallyClaimPlace' in redis)) redis.defineCommand('tallyClaimPlace', { lua: CLAIM_LUA });
    this.redis = redis as RedisWithClaim;
  }

  /** The new claim's id, or undefined when `bound` claims are held already. */
  async claim(key: TenantKey, bound: number, lapsesAfterMs: number, nowMs = Date.now()): Promise<string | undefined> {
    const id = randomUUID();
    const admitted = await this.redis.tallyClaimPlace(
      1,
      key,
      nowMs,
      nowMs + lapsesAfterMs,
      bound,
      id,
      lapsesAfterMs * 2,
    );
    return admitted === 1 ? id : undefined;
  }

  /** Keeps claims still held (only those still claimed: XX). */
  async renew(key: TenantKey, ids: readonly string[], lapsesAfterMs: number, nowMs = Date.now()): Promise<void> {
    if (ids.length === 0) return;
    const lapsesAt = nowMs + lapsesAfterMs;
    await this.redis
      .multi()
      .zadd(key, 'XX', ...ids.flatMap((id) => [lapsesAt, id]))
      .pexpire(key, lapsesAfterMs * 2)
      .exec();
  }

  async release(key: TenantKey, id: string): Promise<void> {
    await this.redis.zrem(key, id);
  }
}
