import { type TenantId, tenantKey } from '@tally/tenancy';
import type { BucketInterval } from './time-buckets';

/**
 * Where the real-time state lives in Redis: written by processor-worker, read by
 * aggregation-api. Every per-tenant key goes through `tenantKey`, so one tenant's keys
 * can never be built from another's id.
 */
export const realtimeKeys = {
  /** HASH counted name → events, for one minute bucket. */
  counts: (tenantId: TenantId, minute: number) => tenantKey(tenantId, 'count', 'm', minute),
  /** HyperLogLog of user keys for one bucket, of all events or of one counted name. */
  uniques: (tenantId: TenantId, interval: BucketInterval, bucket: number, name?: string) =>
    name === undefined
      ? tenantKey(tenantId, 'uniq', interval, bucket)
      : tenantKey(tenantId, 'uniq', interval, bucket, 'e', encodeURIComponent(name)),
  /** Events received in one second (by ingest time): the live view. */
  live: (tenantId: TenantId, second: number) => tenantKey(tenantId, 'live', second),
} as const;

/** How long each kind of key outlives its bucket's last write. */
export const REALTIME_TTL_SECONDS = {
  counts: 7 * 86_400,
  uniques: { minute: 2 * 86_400, hour: 40 * 86_400, day: 400 * 86_400 },
  live: 120,
} as const satisfies { counts: number; uniques: Record<BucketInterval, number>; live: number };

/** Only this much of the recent past is "live"; older arrivals (a backlog) are not pushed as live. */
export const LIVE_WINDOW_SECONDS = 60;

/**
 * SET of `<tenantId>|<minute>` pairs whose events changed since they were last rolled
 * up: the worker adds one with every effect it applies (late events included), the
 * aggregation job takes them once the minute is closed and recounts from MongoDB.
 */
export const ROLLUP_PENDING_SET = 'agg:pending-minutes';

export const pendingMinuteMember = (tenantId: TenantId, minute: number): string => `${tenantId}|${minute}`;
