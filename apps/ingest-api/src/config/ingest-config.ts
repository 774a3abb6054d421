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
    /** A request whose events Kafka has not acknowledged by then gets 503 + Retry-After. */
    INGEST_PRODUCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    /** Events waiting for Kafka beyond this are refused at once (503): memory stays bounded in an outage. */
    INGEST_MAX_PENDING_EVENTS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
    /** Event times later than receive time + this are clamped to the receive time. */
    INGEST_MAX_FUTURE_SKEW_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /**
     * Events older than this when received are refused with their reason: every distinct
     * past minute a tenant writes costs counters and rollups, so the past a tenant can
     * reach is bounded. 400 days is the longest window a query covers.
     */
    INGEST_MAX_EVENT_AGE_DAYS: z.coerce.number().int().min(1).max(3_650).default(400),
    /** Idempotent Kafka producers side by side; a key always uses the same one (order per user holds). */
    INGEST_KAFKA_PRODUCERS: z.coerce.number().int().min(1).max(16).default(2),
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.INGEST_API_PORT, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS },
    logLevel: env.LOG_LEVEL,
    kafka: kafkaConfigFrom(env, SERVICE_NAME),
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    tenancy: tenancyConfigFrom(env),
    recording: {
      produceTimeoutMs: env.INGEST_PRODUCE_TIMEOUT_MS,
      maxPendingEvents: env.INGEST_MAX_PENDING_EVENTS,
      maxFutureSkewMs: env.INGEST_MAX_FUTURE_SKEW_MS,
      maxEventAgeMs: env.INGEST_MAX_EVENT_AGE_DAYS * 86_400_000,
      producers: env.INGEST_KAFKA_PRODUCERS,
    },
  }));

export type IngestConfig = z.output<typeof ingestEnvSchema>;

export const loadIngestConfig = (env: EnvSource): IngestConfig => parseConfig(SERVICE_NAME, ingestEnvSchema, env);
