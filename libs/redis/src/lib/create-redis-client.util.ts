import Redis from 'ioredis';
import type { RedisConfig } from '@tally/config';

/**
 * Commands fail fast while Redis is unreachable instead of queueing without bound:
 * callers (the worker's retry loop, readiness probes) decide what to do about it.
 */
export function createRedisClient(config: RedisConfig, name: string): Redis {
  return new Redis(config.url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}
