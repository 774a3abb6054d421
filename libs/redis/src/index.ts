export { createRedisClient } from './lib/create-redis-client.util';
export { REDIS_CLIENT, RedisModule, RedisReadiness } from './lib/redis.module';
