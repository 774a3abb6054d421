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
} from '@tally/config';

export const SERVICE_NAME = 'processor-worker';

export const processorEnvSchema = z
  .object({
    ...serviceEnvFields,
    PROCESSOR_WORKER_PORT: portField(3002),
    ...kafkaEnvFields,
    ...redisEnvFields,
    ...mongoEnvFields,
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.PROCESSOR_WORKER_PORT },
    logLevel: env.LOG_LEVEL,
    kafka: kafkaConfigFrom(env, SERVICE_NAME),
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
  }));

export type ProcessorConfig = z.output<typeof processorEnvSchema>;

export const loadProcessorConfig = (env: EnvSource): ProcessorConfig =>
  parseConfig(SERVICE_NAME, processorEnvSchema, env);
