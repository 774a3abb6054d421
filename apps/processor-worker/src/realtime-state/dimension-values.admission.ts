import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  DIMENSION_TTL_SECONDS,
  NONE_VALUE,
  admissionMember,
  bucketOf,
  dimensionKeys,
  type EventDimensions,
} from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId, TenantKey } from '@tally/tenant-scope';

/**
 * Admits (name, value) pairs of one tenant into its per-dimension, per-hour sets: a pair
 * already there is admitted; a new one is added while its dimension's set holds fewer
 * than K pairs and the tenant's hour fewer than P over all dimensions, and refused after.
 * Sets only grow within their life, so a redelivered message gets the answers the first
 * delivery got (and an attempt that never applied only used a slot).
 *
 * KEYS = the sets and hour counters named below. ARGV[1] = K; ARGV[2] = P; ARGV[3] = TTL;
 * then per pair: setIndex, hourCounterIndex, member. Returns one 1 or 0 per pair.
 */
const ADMIT_VALUES_LUA = `
local perDimension, perHour, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local out = {}
local a = 4
while a <= #ARGV do
  local set, hour, member = KEYS[tonumber(ARGV[a])], KEYS[tonumber(ARGV[a + 1])], ARGV[a + 2]
  a = a + 3
  if redis.call('SISMEMBER', set, member) == 1 then
    out[#out + 1] = 1
  elseif redis.call('SCARD', set) < perDimension and tonumber(redis.call('GET', hour) or '0') < perHour then
    redis.call('SADD', set, member)
    redis.call('EXPIRE', set, ttl)
    redis.call('INCR', hour)
    redis.call('EXPIRE', hour, ttl)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`;

type RedisWithAdmit = Redis & {
  tallyAdmitValues(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
};

/** K and P (0009 section 3). */
export interface ValueBounds {
  readonly valuesPerHour: number;
  readonly pairsPerHour: number;
}

/** One event asking for admission: its tenant, its event time, and its values before admission. */
export interface AdmissionRequest {
  readonly tenantId: TenantId;
  readonly timestampMs: number;
  readonly dimensions: EventDimensions;
}

/** Admitted pairs are remembered in process (they stay admitted while their set lives); this many at most. */
const MAX_REMEMBERED = 200_000;

/**
 * The bound on a tenant's distinct dimension values: without it, one tenant within its
 * quota could make every event a new value, each with counters and a sketch of its own.
 * One script per tenant of the chunk (one slot each), all in one round trip; pairs
 * already admitted are not asked again.
 */
@Injectable()
export class DimensionValuesAdmission {
  private readonly redis: RedisWithAdmit;
  /** Pairs admitted, as joined keys (tenant, hour, dimension, name, value). */
  private readonly admitted = new Set<string>();

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    if (!('tallyAdmitValues' in redis)) redis.defineCommand('tallyAdmitValues', { lua: ADMIT_VALUES_LUA });
    this.redis = redis as RedisWithAdmit;
  }

  /** For each request, a predicate saying which of its (dimension, name, value) pairs are admitted. */
  async admit(
    requests: readonly AdmissionRequest[],
    bounds: ValueBounds,
  ): Promise<((dimension: string, name: string, value: string) => boolean)[]> {
    // Distinct pairs of the chunk first (cheap joined keys), their Redis keys only then.
    const asked = new Map<TenantId, Map<TenantKey, AskedSet>>();
    const seen = new Set<string>();
    for (const { tenantId, timestampMs, dimensions } of requests) {
      const hour = bucketOf(timestampMs, 'hour');
      const at = tenantId + SEP + hour + SEP;
      for (const [dimension, value] of dimensions.values) {
        const pair = at + dimension + SEP + dimensions.name + SEP + value;
        if (value === NONE_VALUE || this.admitted.has(pair) || seen.has(pair)) continue;
        seen.add(pair);
        const set = dimensionKeys.admitted(tenantId, dimension, hour);
        const bySet = asked.get(tenantId) ?? new Map<TenantKey, AskedSet>();
        const entry = bySet.get(set) ?? { hour, members: new Map<string, string>() };
        entry.members.set(admissionMember(dimensions.name, value), pair);
        bySet.set(set, entry);
        asked.set(tenantId, bySet);
      }
    }
    const refused = new Set<string>();
    if (asked.size > 0) await this.ask(asked, bounds, refused);
    return requests.map(({ tenantId, timestampMs }) => {
      const at = tenantId + SEP + bucketOf(timestampMs, 'hour') + SEP;
      return (dimension, name, value) => refused.size === 0 || !refused.has(at + dimension + SEP + name + SEP + value);
    });
  }

  private async ask(
    asked: Map<TenantId, Map<TenantKey, AskedSet>>,
    bounds: ValueBounds,
    refused: Set<string>,
  ): Promise<void> {
    // Per tenant: the pairs in the order the script answers them, as joined keys.
    const pipeline = this.redis.pipeline() as unknown as Pick<RedisWithAdmit, 'tallyAdmitValues'> & {
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    const order: string[][] = [];
    for (const [tenantId, bySet] of asked) {
      const keys: TenantKey[] = [];
      const args: (string | number)[] = [bounds.valuesPerHour, bounds.pairsPerHour, DIMENSION_TTL_SECONDS.admission];
      const pairs: string[] = [];
      const hourIndex = new Map<number, number>();
      for (const [set, { hour, members }] of bySet) {
        keys.push(set);
        const setIndex = keys.length;
        let hourAt = hourIndex.get(hour);
        if (hourAt === undefined) {
          keys.push(dimensionKeys.admittedAll(tenantId, hour));
          hourAt = keys.length;
          hourIndex.set(hour, hourAt);
        }
        for (const [member, pair] of members) {
          args.push(setIndex, hourAt, member);
          pairs.push(pair);
        }
      }
      void pipeline.tallyAdmitValues(keys.length, ...keys, ...args);
      order.push(pairs);
    }
    const results = (await pipeline.exec()) ?? [];
    // Never admit by default: a reply missing is a failure to retry, not a yes.
    if (results.length !== order.length) throw new Error('dimension admission: a reply per tenant was expected');
    results.forEach(([error, flags], t) => {
      if (error !== null) throw error;
      (order[t] as string[]).forEach((pair, i) => {
        if ((flags as number[])[i] === 1) this.remember(pair);
        else refused.add(pair);
      });
    });
  }

  private remember(pair: string): void {
    if (this.admitted.size >= MAX_REMEMBERED) this.admitted.clear();
    this.admitted.add(pair);
  }
}

interface AskedSet {
  readonly hour: number;
  /** member of the Redis set → the pair's joined key */
  readonly members: Map<string, string>;
}

/** Joins a pair's parts in process; no part can hold it (as in `dimensionEffectsOf`). */
const SEP = '\u0000';
