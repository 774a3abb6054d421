import { urlField } from './env-fields.schema';

/** Environment variables every Redis-using service accepts. */
export const redisEnvFields = {
  REDIS_URL: urlField('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
};

export interface RedisConfig {
  readonly url: string;
}

export const redisConfigFrom = (env: { REDIS_URL: string }): RedisConfig => ({ url: env.REDIS_URL });
