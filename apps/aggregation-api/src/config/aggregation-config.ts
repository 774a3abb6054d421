import { z } from 'zod';
import {
  type EnvSource,
  intField,
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

/** aggregation-api reads the stores (and writes rollups); it never talks to Kafka. */
export const aggregationEnvSchema = z
  .object({
    ...serviceEnvFields,
    AGGREGATION_API_PORT: portField(3001),
    ...redisEnvFields,
    ...mongoEnvFields,
    ...tenancyEnvFields,
    /** Pause between two periodic aggregation runs (on the leader). */
    AGGREGATION_INTERVAL_MS: intField(100, 600_000, 5_000),
    /** Leadership of the aggregation lapses after this long without renewal. */
    AGGREGATION_LOCK_TTL_MS: intField(1_000, 600_000, 30_000),
    AGGREGATION_MAX_MINUTES_PER_RUN: intField(1, 1_000_000, 5_000),
    /** Cached answers about closed windows (a late event invalidates them sooner). */
    QUERY_CACHE_CLOSED_TTL_SECONDS: intField(1, 86_400, 3_600),
    /** Cached answers that include the last minutes: short, so new events show within the freshness target. */
    QUERY_CACHE_OPEN_TTL_MS: intField(1, 60_000, 500),
    /** Uncached answers one tenant may have being computed at once on one replica; more: 429 (cached answers are not counted). */
    QUERY_MAX_CONCURRENT_PER_TENANT: intField(1, 1_000, 4),
    /** `POST /v1/query` scans of raw events: the longest window (both periods with compare), in days. */
    QUERY_SCAN_MAX_DAYS: intField(1, 400, 31),
    /** Raw events one scan may read; more: 422 scan_too_large. */
    QUERY_SCAN_MAX_EVENTS: intField(1_000, 100_000_000, 2_000_000),
    /** How long one scan may take, in the store (maxTimeMS) and here; longer: 422 scan_too_slow. */
    QUERY_SCAN_TIME_LIMIT_MS: intField(100, 600_000, 10_000),
    /** Query tokens a scan takes from the tenant's quota (a counter answer takes 1). */
    QUERY_SCAN_TOKEN_COST: intField(1, 1_000, 10),
    /** Scans one tenant may run at once on one replica, and scans one replica runs in all; more: 429. */
    QUERY_SCAN_MAX_CONCURRENT_PER_TENANT: intField(1, 100, 1),
    QUERY_SCAN_MAX_CONCURRENT: intField(1, 100, 2),
    /** Scans one tenant may run at once on all replicas together (claims in Redis); more: 429. */
    QUERY_SCAN_MAX_CONCURRENT_PER_TENANT_ALL_REPLICAS: intField(1, 1_000, 2),
    LIVE_MAX_STREAMS_PER_TENANT: intField(1, 10_000, 20),
    LIVE_PUSH_INTERVAL_MS: intField(100, 60_000, 1_000),
  })
  .transform((env) => ({
    identity: { service: SERVICE_NAME, version: env.SERVICE_VERSION },
    http: { host: env.HTTP_HOST, port: env.AGGREGATION_API_PORT, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS },
    logLevel: env.LOG_LEVEL,
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    tenancy: tenancyConfigFrom(env),
    aggregation: {
      intervalMs: env.AGGREGATION_INTERVAL_MS,
      lockTtlMs: env.AGGREGATION_LOCK_TTL_MS,
      maxMinutesPerRun: env.AGGREGATION_MAX_MINUTES_PER_RUN,
    },
    queryCache: {
      closedTtlSeconds: env.QUERY_CACHE_CLOSED_TTL_SECONDS,
      openTtlMs: env.QUERY_CACHE_OPEN_TTL_MS,
    },
    queryConcurrency: { maxPerTenant: env.QUERY_MAX_CONCURRENT_PER_TENANT },
    scans: {
      maxDays: env.QUERY_SCAN_MAX_DAYS,
      maxEvents: env.QUERY_SCAN_MAX_EVENTS,
      timeLimitMs: env.QUERY_SCAN_TIME_LIMIT_MS,
      tokenCost: env.QUERY_SCAN_TOKEN_COST,
      maxConcurrentPerTenant: env.QUERY_SCAN_MAX_CONCURRENT_PER_TENANT,
      maxConcurrent: env.QUERY_SCAN_MAX_CONCURRENT,
      maxConcurrentPerTenantAllReplicas: env.QUERY_SCAN_MAX_CONCURRENT_PER_TENANT_ALL_REPLICAS,
    },
    live: { maxStreamsPerTenant: env.LIVE_MAX_STREAMS_PER_TENANT, pushIntervalMs: env.LIVE_PUSH_INTERVAL_MS },
  }));

export type AggregationConfig = z.output<typeof aggregationEnvSchema>;

export const loadAggregationConfig = (env: EnvSource): AggregationConfig =>
  parseConfig(SERVICE_NAME, aggregationEnvSchema, env);
