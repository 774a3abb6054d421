import { z } from 'zod';
import {
  type KafkaConfig,
  kafkaConfigFrom,
  kafkaEnvFields,
  type MongoConfig,
  mongoConfigFrom,
  mongoEnvFields,
  parseConfig,
  portField,
  type RedisConfig,
  redisConfigFrom,
  redisEnvFields,
  urlField,
} from '@tally/config';

/**
 * Where the tests find the real services: the same variables, defaults and rules as
 * the apps (the jest global setup brought the stack up on those addresses).
 */
const testEnvSchema = z
  .object({
    ...kafkaEnvFields,
    ...redisEnvFields,
    ...mongoEnvFields,
    PROMETHEUS_URL: urlField('http://127.0.0.1:9090', ['http:']),
    INGEST_API_PORT: portField(3000),
    AGGREGATION_API_PORT: portField(3001),
    PROCESSOR_WORKER_PORT: portField(3002),
  })
  .transform((env) => ({
    kafka: kafkaConfigFrom(env, 'tally-tests'),
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    prometheusUrl: env.PROMETHEUS_URL.replace(/\/$/, ''),
    appPorts: {
      'ingest-api': env.INGEST_API_PORT,
      'aggregation-api': env.AGGREGATION_API_PORT,
      'processor-worker': env.PROCESSOR_WORKER_PORT,
    },
  }));

export interface TestEnvironment {
  readonly kafka: KafkaConfig;
  readonly redis: RedisConfig;
  readonly mongo: MongoConfig;
  readonly prometheusUrl: string;
  readonly appPorts: Readonly<Record<AppName, number>>;
}

export type AppName = 'ingest-api' | 'aggregation-api' | 'processor-worker';

export const testEnvironment = (): TestEnvironment => parseConfig('tests', testEnvSchema, process.env);
