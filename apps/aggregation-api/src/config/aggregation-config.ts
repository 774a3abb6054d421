import { z } from 'zod';
import {
  type EnvSource,
  mongoConfigFrom,
  mongoEnvFields,
  parseConfig,
  portField,
  redisConfigFrom,
  redisEnvFields,
  serviceEnvFields,
  tenancyConfigFrom,
  tenancyEnvFields,
} from '@tally/config';

export const SERVICE_NAME = 'aggregation-api';

/** aggregation-api reads only the stores; it never talks to Kafka. */
export const aggregationEnvSchema = z
  .object({
    ...serviceEnvFields,
    AGGREGATION_API_PORT: portField(3001),
    ...redisEnvFields,
    ...mongoEnvFields,
    ...tenancyEnvFields,
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.AGGREGATION_API_PORT },
    logLevel: env.LOG_LEVEL,
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    tenancy: tenancyConfigFrom(env),
  }));

export type AggregationConfig = z.output<typeof aggregationEnvSchema>;

export const loadAggregationConfig = (env: EnvSource): AggregationConfig =>
  parseConfig(SERVICE_NAME, aggregationEnvSchema, env);
