import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { isBuiltInName, realtimeKeys } from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId, TenantKey } from '@tally/tenant-scope';

/**
 * Admits event names into a tenant's bounded set, atomically: a name already there is
 * admitted; a new one is added while the set holds fewer than the bound, and refused
 * after. The set never shrinks, so the answer for a name never changes — a redelivered
 * message is counted under the same name as the first delivery.
 *
 * KEYS[i] = tenant i's name set; ARGV[1] = bound; then per key: n, name…
 * Returns one 1 (admitted) or 0 (refused) per name, in order.
 */
const ADMIT_NAMES_LUA = `
local bound = tonumber(ARGV[1])
local out = {}
local a = 2
for i = 1, #KEYS do
  local n = tonumber(ARGV[a]); a = a + 1
  for _ = 1, n do
    local name = ARGV[a]; a = a + 1
    if redis.call('SISMEMBER', KEYS[i], name) == 1 then
      out[#out + 1] = 1
    elseif redis.call('SCARD', KEYS[i]) < bound then
      redis.call('SADD', KEYS[i], name)
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
    end
  end
end
return out
`;

type RedisWithAdmit = Redis & {
  tallyAdmitNames(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
};

/** Names admitted are remembered in process (they stay admitted); this many at most, then forgotten. */
const MAX_REMEMBERED = 100_000;

/**
 * The bound on distinct event names per tenant: without it, one tenant within its quota
 * could create names without end, each with counters, uniques and rollup entries of its
 * own, and grow the shared Redis and its rollup documents without bound.
 */
@Injectable()
export class EventNamesAdmission {
  private readonly redis: RedisWithAdmit;
  /** By name set: the event names' and the dimension names' sets are admitted alike. */
  private readonly admitted = new Map<TenantKey, Set<string>>();
  private remembered = 0;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    if (!('tallyAdmitNames' in redis)) redis.defineCommand('tallyAdmitNames', { lua: ADMIT_NAMES_LUA });
    this.redis = redis as RedisWithAdmit;
  }

  /**
   * Which of these (tenant, name) pairs may be counted under their own name; one Redis call
   * at most. `setOf` names the bounded set: the tenant's event names by default, or the
   * names its dimension counters split (`dimensionKeys.names`).
   */
  async admit(
    names: readonly { tenantId: TenantId; name: string }[],
    bound: number,
    setOf: (tenantId: TenantId) => TenantKey = realtimeKeys.eventNames,
  ): Promise<boolean[]> {
    const unknown = new Map<TenantId, Set<string>>();
    for (const { tenantId, name } of names) {
      if (isBuiltInName(name) || this.admitted.get(setOf(tenantId))?.has(name)) continue;
      const set = unknown.get(tenantId) ?? new Set<string>();
      set.add(name);
      unknown.set(tenantId, set);
    }
    const refused = new Map<TenantId, Set<string>>();
    if (unknown.size > 0) {
      const tenants = [...unknown.keys()];
      const args: (string | number)[] = [bound];
      for (const tenantId of tenants) {
        const set = unknown.get(tenantId) as Set<string>;
        args.push(set.size, ...set);
      }
      const flags = await this.redis.tallyAdmitNames(tenants.length, ...tenants.map((t) => setOf(t)), ...args);
      let i = 0;
      for (const tenantId of tenants) {
        for (const name of unknown.get(tenantId) as Set<string>) {
          if (flags[i++] === 1) this.remember(setOf(tenantId), name);
          else refused.set(tenantId, (refused.get(tenantId) ?? new Set<string>()).add(name));
        }
      }
    }
    return names.map(({ tenantId, name }) => !refused.get(tenantId)?.has(name));
  }

  private remember(setKey: TenantKey, name: string): void {
    if (this.remembered >= MAX_REMEMBERED) {
      this.admitted.clear();
      this.remembered = 0;
    }
    const set = this.admitted.get(setKey) ?? new Set<string>();
    set.add(name);
    this.admitted.set(setKey, set);
    this.remembered++;
  }
}
