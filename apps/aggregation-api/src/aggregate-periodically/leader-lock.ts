import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { PlatformKey } from '@tally/tenant-scope';

/** Renews the lock if we hold it, takes it if nobody does. 1 = we lead, 0 = someone else does. */
const HOLD_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type RedisWithLock = Redis & {
  tallyHoldLock(key: PlatformKey, token: string, ttlMs: number): Promise<number>;
  tallyReleaseLock(key: PlatformKey, token: string): Promise<number>;
};

/**
 * One leader among the replicas: a Redis key holding the leader's token, with a TTL the
 * leader renews on every run. A leader that stops (or pauses longer than the TTL) loses
 * it and another replica takes over. Two leaders at once, for a moment, are harmless
 * here: rollups are replaced with what the stores say, never incremented.
 */
export class LeaderLock {
  private readonly redis: RedisWithLock;
  readonly token = randomUUID();

  constructor(
    redis: Redis,
    private readonly key: PlatformKey,
    private readonly ttlMs: number,
  ) {
    if (!('tallyHoldLock' in redis)) {
      redis.defineCommand('tallyHoldLock', { numberOfKeys: 1, lua: HOLD_LUA });
      redis.defineCommand('tallyReleaseLock', { numberOfKeys: 1, lua: RELEASE_LUA });
    }
    this.redis = redis as RedisWithLock;
  }

  async hold(): Promise<boolean> {
    return (await this.redis.tallyHoldLock(this.key, this.token, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.tallyReleaseLock(this.key, this.token);
  }
}
