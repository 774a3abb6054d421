import { Analytics } from '@segment/analytics-node';
import type Redis from 'ioredis';
import { bucketOf, realtimeKeys } from '@tally/analytics-store';
import { createRedisClient } from '@tally/redis';
import type { CreatedTenant } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { eventually, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { provisionTenant } from './support/tenants';
import { WorkerGroup } from './support/worker-group';

/**
 * The write path end to end: a Segment SDK sends to ingest-api, processor-worker applies
 * the events from Kafka, and Redis holds the counts. (One request id followed across the
 * services: observability.e2e-spec.ts.)
 */
describe('ingest-api → Kafka → processor-worker → Redis', () => {
  const env = testEnvironment();
  const ingestUrl = `http://127.0.0.1:${env.appPorts['ingest-api']}`;
  const WORKER_PORT = 3941;
  let ingest: RunningApp;
  let group: WorkerGroup;
  let tenant: CreatedTenant;
  let tenantId: TenantId;
  let redis: Redis;

  beforeAll(async () => {
    group = await WorkerGroup.atTopicEnd(env);
    ingest = startApp('ingest-api', { LOG_LEVEL: 'info' });
    tenant = await provisionTenant(env);
    tenantId = parseTenantId(tenant.tenantId) as TenantId;
    redis = createRedisClient(env.redis, 'tally-e2e');
    await Promise.all([
      eventually(async () => expect((await fetch(`${ingestUrl}/health/ready`)).status).toBe(200), 60_000),
      group.start(WORKER_PORT),
    ]);
  });

  afterAll(async () => {
    await Promise.all([ingest?.stop(), group?.stopAll(), redis?.quit()]);
  });

  const countsNow = async (name: string): Promise<number> => {
    const minute = bucketOf(Date.now(), 'minute');
    const values = await Promise.all(
      [minute - 2, minute - 1, minute, minute + 1].map((m) => redis.hget(realtimeKeys.counts(tenantId, m), name)),
    );
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
  };

  it('counts what the SDK sent, once, including its retries', async () => {
    const analytics = new Analytics({ writeKey: tenant.writeKey, host: ingestUrl, flushAt: 50, maxRetries: 3 });
    for (let i = 0; i < 500; i++) analytics.track({ userId: `user-${i % 40}`, event: 'Report Exported' });
    await analytics.closeAndFlush({ timeout: 30_000 });
    // A client retry of an event already sent: same messageId, must not count again.
    const retry = { event: 'Report Exported', userId: 'user-1', messageId: 'sdk-retry-1' };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${ingestUrl}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.writeKey}` },
        body: JSON.stringify(retry),
      });
      expect(response.status).toBe(200);
    }
    await eventually(async () => expect(await countsNow('Report Exported')).toBe(501), 60_000, 500);
  });
});
