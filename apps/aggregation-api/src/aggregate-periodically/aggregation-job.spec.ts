import type Redis from 'ioredis';
import { MongoInvalidArgumentError, MongoNetworkError } from 'mongodb';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { DIRTY_TENANTS_SET, rollupKeys } from '@tally/analytics-store';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { AggregationJob, closedDirtyMinutes } from './aggregation-job.service';
import { AggregationMetrics } from './aggregation.metrics';
import type { DirtyMinute, RollReport, RollupBuilder } from './rollup.builder';

describe('closedDirtyMinutes', () => {
  it('lists closed dirty minutes oldest first with their counters and fresh flags, leaving the open minute', () => {
    const fields = { '105': '3', '100': '1', '100:fresh': '1', '110': '7' };
    expect(closedDirtyMinutes(fields, 110)).toEqual([
      { minute: 100, version: '1', fresh: true },
      { minute: 105, version: '3', fresh: false },
    ]);
  });
});

/** The Redis the job reads: the dirty tenants, their dirty minutes, and a lock this replica always holds. */
class JobRedis {
  readonly sets = new Map<string, Set<string>>();
  readonly hashes = new Map<string, Record<string, string>>();
  defineCommand = () => undefined;
  tallyHoldLock = () => Promise.resolve(1);
  tallyReleaseLock = () => Promise.resolve(1);
  smembers = (key: string) => Promise.resolve([...(this.sets.get(key) ?? [])]);
  srem = (key: string, member: string) => Promise.resolve(Number(this.sets.get(key)?.delete(member) ?? false));
  hgetall = (key: string) => Promise.resolve({ ...(this.hashes.get(key) ?? {}) });
}

/** Rolls up by recording; a tenant given an error fails with it. */
class RecordingBuilder {
  readonly cleared = new Map<TenantId, number[]>();
  readonly failures = new Map<TenantId, Error>();
  roll(tenantId: TenantId, dirty: readonly DirtyMinute[]): Promise<RollReport> {
    const failure = this.failures.get(tenantId);
    if (failure) return Promise.reject(failure);
    return Promise.resolve({
      minutes: dirty.length,
      recounted: 0,
      rolledUpKeys: { byMinute: new Map(), ofParents: [] },
    });
  }
  expireRolledUp(): Promise<void> {
    return Promise.resolve();
  }
  clear(tenantId: TenantId, dirty: readonly DirtyMinute[]): Promise<number> {
    this.cleared.set(tenantId, [...(this.cleared.get(tenantId) ?? []), ...dirty.map((d) => d.minute)]);
    return Promise.resolve(0);
  }
}

describe('AggregationJob.runOnce', () => {
  const [a, b, c] = ['t_aaaaaaaaaaaaaaaaaaaa', 't_bbbbbbbbbbbbbbbbbbbb', 't_cccccccccccccccccccc'].map(
    (id) => parseTenantId(id) as TenantId,
  ) as [TenantId, TenantId, TenantId];
  const nowMs = 1_000 * 60_000;
  let redis: JobRedis;
  let builder: RecordingBuilder;
  let metrics: AggregationMetrics;
  let warnings: Record<string, unknown>[];
  let job: AggregationJob;

  beforeEach(() => {
    redis = new JobRedis();
    // The failing tenant first: the tenants after it must still be rolled up.
    redis.sets.set(DIRTY_TENANTS_SET, new Set([b, a, c]));
    for (const [tenant, minute] of [
      [a, 990],
      [b, 991],
      [c, 992],
    ] as const) {
      redis.hashes.set(rollupKeys.dirtyMinutes(tenant), { [String(minute)]: '1' });
    }
    builder = new RecordingBuilder();
    metrics = new AggregationMetrics(new Registry());
    warnings = [];
    const logger = {
      setContext: () => undefined,
      info: () => undefined,
      warn: (fields: Record<string, unknown>) => warnings.push(fields),
    } as unknown as PinoLogger;
    job = new AggregationJob(
      redis as unknown as Redis,
      { intervalMs: 1_000, lockTtlMs: 30_000, maxMinutesPerRun: 5_000 },
      builder as unknown as RollupBuilder,
      metrics,
      logger,
    );
  });

  it("rolls up the other tenants when one tenant's rollup fails, and logs and counts the failure by reason", async () => {
    builder.failures.set(b, new MongoInvalidArgumentError('Document is larger than the maximum size 16777216'));
    const report = await job.runOnce(nowMs);
    expect(report).toEqual({ tenants: 3, minutes: 2, recounted: 0, failed: 1 });
    expect([...builder.cleared]).toEqual([
      [a, [990]],
      [c, [992]],
    ]);
    expect(warnings).toEqual([expect.objectContaining({ tenantId: b, reason: 'document_too_large' })]);
    expect((await metrics.tenantFailures.get()).values).toEqual([
      expect.objectContaining({ labels: { reason: 'document_too_large' }, value: 1 }),
    ]);
    // Its minute stays dirty: the next run tries it again.
    builder.failures.clear();
    expect(await job.runOnce(nowMs)).toMatchObject({ failed: 0 });
    expect(builder.cleared.get(b)).toEqual([991]);
  });

  it('stops the run when a store cannot be reached: every tenant would fail the same way', async () => {
    builder.failures.set(b, new MongoNetworkError('connection 1 to 127.0.0.1:27017 closed'));
    await expect(job.runOnce(nowMs)).rejects.toThrow(MongoNetworkError);
    expect(builder.cleared.size).toBe(0);
    expect((await metrics.tenantFailures.get()).values).toEqual([]);
  });
});
