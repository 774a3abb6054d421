import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type Redis from 'ioredis';
import { DIRTY_TENANTS_SET, bucketOf, dirtyMinutesOf, freshCountersField, rollupKeys } from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import { parseTenantId, platformKey, type TenantId } from '@tally/tenant-scope';
import { AggregationMetrics } from './aggregation.metrics';
import { LeaderLock } from './leader-lock';
import { rollupFailureReason } from './rollup-failure-reason.util';
import { RollupBuilder, type DirtyMinute } from './rollup.builder';

export const AGGREGATION_OPTIONS = Symbol('AGGREGATION_OPTIONS');

export interface AggregationOptions {
  /** Pause between runs. */
  readonly intervalMs: number;
  /** Leadership lasts this long unless renewed (every run renews it). */
  readonly lockTtlMs: number;
  /** At most this many minutes rolled up per run (the rest waits for the next). */
  readonly maxMinutesPerRun: number;
}

export interface RunReport {
  readonly tenants: number;
  readonly minutes: number;
  readonly recounted: number;
  /** Tenants whose rollup failed this run: skipped, and retried next run. */
  readonly failed: number;
}

/** How rolling up one tenant ended (a failure is thrown, and sorted by the run). */
type TenantOutcome = { readonly kind: 'rolled' } | { readonly kind: 'lost-leadership' };

export const LEADER_LOCK_KEY = platformKey('agg', 'leader');

/** Minutes rolled up and marked clean together: progress is kept in steps of this size. */
const SLICE_MINUTES = 2_000;

/**
 * The periodic aggregation: on the one replica holding the leader lock, every
 * `intervalMs`, rolls up each tenant's dirty minutes that have closed. A minute is
 * marked clean only if nothing changed it during the run, so a late event is never
 * missed; one still open is left for a later run. One tenant's failure is that tenant's
 * alone: it is logged and counted, its minutes stay dirty (so it is retried next run),
 * and the run goes on with the tenants after it. Only a store that cannot be reached
 * stops the run.
 */
@Injectable()
export class AggregationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly lock: LeaderLock;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AGGREGATION_OPTIONS) private readonly options: AggregationOptions,
    private readonly builder: RollupBuilder,
    private readonly metrics: AggregationMetrics,
    private readonly logger: PinoLogger,
  ) {
    this.lock = new LeaderLock(redis, LEADER_LOCK_KEY, options.lockTtlMs);
    this.logger.setContext(AggregationJob.name);
  }

  onApplicationBootstrap(): void {
    this.schedule(this.options.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.lock.release().catch(() => undefined);
    this.metrics.leader.set(0);
  }

  /** One run; null when another replica leads. */
  async runOnce(nowMs = Date.now()): Promise<RunReport | null> {
    if (!(await this.lock.hold())) {
      this.metrics.leader.set(0);
      this.metrics.runs.inc({ outcome: 'follower' });
      return null;
    }
    this.metrics.leader.set(1);
    const stopTimer = this.metrics.runDuration.startTimer();
    const openMinute = bucketOf(nowMs, 'minute');
    let oldestWaiting = Number.POSITIVE_INFINITY;
    const report = { tenants: 0, minutes: 0, recounted: 0, failed: 0 };

    for (const member of await this.redis.smembers(DIRTY_TENANTS_SET)) {
      // Minutes rolled count against the budget, a failed tenant's finished slices included.
      const budget = this.options.maxMinutesPerRun - report.minutes;
      if (budget <= 0 || this.stopped) break;
      const tenantId = parseTenantId(member);
      if (!tenantId) {
        await this.redis.srem(DIRTY_TENANTS_SET, member);
        continue;
      }
      let outcome: TenantOutcome;
      try {
        const dirty = closedDirtyMinutes(await this.redis.hgetall(rollupKeys.dirtyMinutes(tenantId)), openMinute);
        oldestWaiting = Math.min(oldestWaiting, dirty[0]?.minute ?? oldestWaiting);
        outcome = await this.rollTenant(tenantId, dirty.slice(0, budget), nowMs, report);
      } catch (error) {
        const reason = rollupFailureReason(error);
        if (reason === 'store_unavailable') throw error;
        report.failed += 1;
        this.metrics.tenantFailures.inc({ reason });
        this.logger.warn(
          { err: error, tenantId, reason },
          'rolling up a tenant failed; went on with the others, and retrying it next run',
        );
        continue;
      }
      if (outcome.kind === 'lost-leadership') return this.lostLeadership(report, stopTimer);
    }

    this.metrics.lag.set(Number.isFinite(oldestWaiting) ? Math.max(0, nowMs - (oldestWaiting + 1) * 60_000) / 1000 : 0);
    stopTimer();
    this.metrics.runs.inc({ outcome: 'done' });
    if (report.minutes > 0 || report.failed > 0) this.logger.info(report, 'aggregation run rolled up minutes');
    return report;
  }

  /** Rolls up one tenant's `batch` slice by slice, counting into `report`. */
  private async rollTenant(
    tenantId: TenantId,
    batch: readonly DirtyMinute[],
    nowMs: number,
    report: { tenants: number; minutes: number; recounted: number },
  ): Promise<TenantOutcome> {
    if (batch.length === 0) {
      await this.builder.clear(tenantId, []); // forgets a tenant with nothing left
      return { kind: 'rolled' };
    }
    report.tenants += 1;
    for (let i = 0; i < batch.length && !this.stopped; i += SLICE_MINUTES) {
      // Leadership is renewed before every slice; a replica that lost it stops here.
      if (!(await this.lock.hold())) return { kind: 'lost-leadership' };
      const slice = batch.slice(i, i + SLICE_MINUTES);
      const rolled = await this.builder.roll(tenantId, slice, nowMs);
      await this.builder.clear(tenantId, slice);
      await this.builder.expireRolledUp(tenantId, rolled.rolledUpKeys);
      report.minutes += rolled.minutes;
      report.recounted += rolled.recounted;
      this.metrics.minutesRolled.inc({ source: 'redis' }, rolled.minutes - rolled.recounted);
      if (rolled.recounted > 0) this.metrics.minutesRolled.inc({ source: 'raw_events' }, rolled.recounted);
    }
    return { kind: 'rolled' };
  }

  private lostLeadership(report: RunReport, stopTimer: () => void): RunReport {
    stopTimer();
    this.metrics.leader.set(0);
    this.logger.warn(report, 'aggregation leadership lost during a run; stopped');
    return report;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => {
          this.metrics.runs.inc({ outcome: 'failed' });
          this.logger.warn({ err: error }, 'aggregation run failed; retrying next interval');
        })
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
  }
}

/** Closed minutes of a dirty-minutes hash, oldest first, with their counters and fresh flags. */
export function closedDirtyMinutes(fields: Record<string, string>, openMinute: number): DirtyMinute[] {
  return dirtyMinutesOf(Object.keys(fields))
    .filter((minute) => Number.isInteger(minute) && minute < openMinute)
    .sort((a, b) => a - b)
    .map((minute) => ({ minute, version: fields[String(minute)] ?? '', fresh: freshCountersField(minute) in fields }));
}
