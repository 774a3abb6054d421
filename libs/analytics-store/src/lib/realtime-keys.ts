import { platformKey, tenantKey, type TenantId } from '@tally/tenant-scope';
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
  /** SET of the event names a tenant's events are counted under (bounded: `OTHER_EVENT_NAME`). */
  eventNames: (tenantId: TenantId) => tenantKey(tenantId, 'names'),
  /**
   * ZSET of a tenant's open `/v1/live` streams on every replica: member = stream id,
   * score = when its claim lapses unless the replica holding it renews it.
   */
  liveStreams: (tenantId: TenantId) => tenantKey(tenantId, 'live', 'streams'),
  /** Events received in one second (by ingest time): the live view. */
  live: (tenantId: TenantId, second: number) => tenantKey(tenantId, 'live', second),
  /** ZSET of a tenant's scans running on every replica (as `liveStreams`): member = claim id, score = when it lapses. */
  scanClaims: (tenantId: TenantId) => tenantKey(tenantId, 'scan', 'claims'),
  /** `receivedAt` (ms) of the newest event applied: how fresh an answer from the counters is. */
  newestReceived: (tenantId: TenantId) => tenantKey(tenantId, 'newest'),
} as const;

/**
 * How long each kind of key outlives its bucket's last write: long enough to wait out an
 * aggregation job that cannot run. Once a bucket is rolled up (and, for an hour or a
 * day, has ended), its keys are needed no longer — queries read it from its rollup, and
 * a late write re-creates them — so the job cuts their lives to `afterRollup`. A tenant's
 * Redis state is then what has not been rolled up yet, not days of it.
 */
export const REALTIME_TTL_SECONDS = {
  counts: 7 * 86_400,
  uniques: { minute: 2 * 86_400, hour: 40 * 86_400, day: 400 * 86_400 },
  live: 120,
  newestReceived: 30 * 86_400,
  afterRollup: 600,
} as const satisfies {
  counts: number;
  uniques: Record<BucketInterval, number>;
  live: number;
  newestReceived: number;
  afterRollup: number;
};

/** Only this much of the recent past is "live"; older arrivals (a backlog) are not pushed as live. */
export const LIVE_WINDOW_SECONDS = 60;

/**
 * Which minutes changed since the aggregation job last rolled them up. Per tenant, a
 * HASH minute → change counter (the worker adds 1 with every chunk that touches the
 * minute); the job rolls a closed minute up and removes it only if the counter is still
 * what it read, so a change made meanwhile is never lost. Queries read a dirty minute
 * from the Redis counters and a clean one from its rollup.
 */
export const rollupKeys = {
  dirtyMinutes: (tenantId: TenantId) => tenantKey(tenantId, 'agg', 'dirty'),
  /**
   * Counter of writes into minutes that had already closed (late events, repairs): part
   * of every cached answer, so a late event makes cached answers for closed windows stale.
   */
  lateWrites: (tenantId: TenantId) => tenantKey(tenantId, 'agg', 'late'),
} as const;

/**
 * Field of the dirty-minutes hash set when a minute's counters are created anew. If the
 * minute was rolled up before, its counters had expired: they hold only what arrived
 * since, and the job adds the rollup back into them before taking the snapshot.
 */
export const freshCountersField = (minute: number): string => `${minute}:fresh`;

/** The minutes named by a dirty-minutes hash (its other fields are flags). */
export const dirtyMinutesOf = (fields: readonly string[]): number[] =>
  fields.filter((f) => !f.includes(':')).map(Number);

/** SET of tenant ids that have dirty minutes: where the aggregation job looks first. */
export const DIRTY_TENANTS_SET = platformKey('agg', 'dirty-tenants');

/** Dirty marks and the late-write counter outlive any plausible aggregation outage. */
export const ROLLUP_STATE_TTL_SECONDS = 30 * 86_400;
