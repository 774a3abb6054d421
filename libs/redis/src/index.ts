export { createRedisClient } from './lib/create-redis-client.util';
export { redisConfigFrom, redisEnvFields, type RedisConfig } from './lib/redis-env.schema';
export { REDIS_CLIENT, RedisModule, RedisReadiness } from './lib/redis.module';
