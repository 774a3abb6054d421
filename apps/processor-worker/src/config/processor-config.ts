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
import { MAX_TRACK_NAMES_PER_TENANT } from '@tally/analytics-store';
import { DEFAULT_PROCESSOR_GROUP_ID } from '@tally/contracts';

export const SERVICE_NAME = 'processor-worker';

export const processorEnvSchema = z
  .object({
    ...serviceEnvFields,
    PROCESSOR_WORKER_PORT: portField(3002),
    ...kafkaEnvFields,
    ...redisEnvFields,
    ...mongoEnvFields,
    /** Consumer group: replicas with the same id share the partitions. */
    PROCESSOR_GROUP_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be letters, digits, ".", "_" or "-"')
      .default(DEFAULT_PROCESSOR_GROUP_ID),
    /** Partitions this replica works on at the same time (their store writes overlap). */
    PROCESSOR_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(4),
    /** How long the group waits for a silent replica (killed, partitioned) before giving its partitions away. */
    PROCESSOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
    /** Messages stored and applied together; a larger fetched batch is worked in chunks of this size. */
    PROCESSOR_CHUNK_SIZE: z.coerce.number().int().min(1).max(5_000).default(1_000),
    /**
     * Distinct track-event names a tenant's events are counted under; events of further
     * names are counted as "(other)" (their raw events keep the name). Bounds the Redis
     * state one tenant can create; at most what one rollup holds (MAX_TRACK_NAMES_PER_TENANT).
     */
    PROCESSOR_MAX_EVENT_NAMES_PER_TENANT: z.coerce
      .number()
      .int()
      .min(10)
      .max(MAX_TRACK_NAMES_PER_TENANT)
      .default(MAX_TRACK_NAMES_PER_TENANT),
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.PROCESSOR_WORKER_PORT, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS },
    logLevel: env.LOG_LEVEL,
    kafka: kafkaConfigFrom(env, SERVICE_NAME),
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    processing: {
      groupId: env.PROCESSOR_GROUP_ID,
      partitionsConcurrently: env.PROCESSOR_PARTITIONS_CONCURRENTLY,
      chunkSize: env.PROCESSOR_CHUNK_SIZE,
      sessionTimeoutMs: env.PROCESSOR_SESSION_TIMEOUT_MS,
      maxEventNamesPerTenant: env.PROCESSOR_MAX_EVENT_NAMES_PER_TENANT,
    },
  }));

export type ProcessingOptions = ProcessorConfig['processing'];

export type ProcessorConfig = z.output<typeof processorEnvSchema>;

export const loadProcessorConfig = (env: EnvSource): ProcessorConfig =>
  parseConfig(SERVICE_NAME, processorEnvSchema, env);
