import { z } from 'zod';
import {
  type EnvSource,
  kafkaConfigFrom,
  kafkaEnvFields,
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

export const SERVICE_NAME = 'ingest-api';

export const ingestEnvSchema = z
  .object({
    ...serviceEnvFields,
    INGEST_API_PORT: portField(3000),
    ...kafkaEnvFields,
    ...redisEnvFields,
    ...mongoEnvFields,
    ...tenancyEnvFields,
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.INGEST_API_PORT },
    logLevel: env.LOG_LEVEL,
    kafka: kafkaConfigFrom(env, SERVICE_NAME),
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    tenancy: tenancyConfigFrom(env),
  }));

export type IngestConfig = z.output<typeof ingestEnvSchema>;

export const loadIngestConfig = (env: EnvSource): IngestConfig => parseConfig(SERVICE_NAME, ingestEnvSchema, env);
