import type Redis from 'ioredis';
import type { MongoClient } from 'mongodb';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { newTenantId } from '@tally/tenant-scope';
import { eventually, testEnvironment } from '@tally/testing';
import { ANALYTICS_CHANGES_CHANNEL, AnalyticsSettingsAdmin } from './analytics-settings.admin';
import { DECLARATION_MARGIN_MS, fieldsCountingAt } from './analytics-settings.document';

describe('AnalyticsSettingsAdmin (real stores)', () => {
  const env = testEnvironment();
  let mongo: MongoClient;
  let redis: Redis;
  let listener: Redis;
  let admin: AnalyticsSettingsAdmin;
  const announced: string[] = [];

  beforeAll(async () => {
    mongo = createMongoClient(env.mongo, 'tally-tests');
    redis = createRedisClient(env.redis, 'tally-tests');
    listener = redis.duplicate();
    listener.on('message', (_channel: string, tenantId: string) => announced.push(tenantId));
    await listener.subscribe(ANALYTICS_CHANGES_CHANNEL);
    admin = AnalyticsSettingsAdmin.on(mongo.db(env.mongo.database), redis);
  });

  afterAll(async () => {
    await listener?.quit();
    await redis?.quit();
    await mongo?.close();
  });

  it('declares, keeps the same lists as no change, ends what is removed, and announces each change', async () => {
    const tenant = newTenantId();
    expect(await admin.get(tenant)).toMatchObject({ version: 0, dimensions: [], measures: [] });
    const before = Date.now();
    const first = await admin.put(tenant, { dimensions: ['properties.plan'], measures: ['properties.revenue'] });
    expect(first.version).toBe(1);
    expect(first.dimensions[0]?.countedSince.getTime()).toBeGreaterThanOrEqual(before + DECLARATION_MARGIN_MS);
    expect(await admin.get(tenant)).toEqual(first);

    expect(await admin.put(tenant, { dimensions: ['properties.plan'], measures: ['properties.revenue'] })).toEqual(
      first,
    );
    const second = await admin.put(tenant, { dimensions: [], measures: ['properties.revenue'] });
    expect(second.version).toBe(2);
    expect(second.dimensions[0]?.countedUntil).toBeInstanceOf(Date);
    expect(fieldsCountingAt(second.dimensions, Date.now() + 2 * DECLARATION_MARGIN_MS)).toEqual([]);
    await eventually(async () => expect(announced.filter((t) => t === tenant)).toHaveLength(2), 5_000);
  });

  it('loses no entry when admins change the same tenant at once: each change applies to the one before', async () => {
    const tenant = newTenantId();
    const fields = ['properties.a', 'properties.b', 'properties.c', 'properties.d'];
    // Each declares only its own field; the version guard makes a writer that lost the race re-read.
    await Promise.all(fields.map((field) => admin.put(tenant, { dimensions: [field], measures: [] })));
    const settled = await admin.get(tenant);
    expect(settled.version).toBe(fields.length);
    expect(settled.dimensions.map((d) => d.field).sort()).toEqual(fields);
    // Only the last writer's field is open; the others were ended by the writes after them.
    expect(settled.dimensions.filter((d) => d.countedUntil === undefined)).toHaveLength(1);
  });

  it('loses no field when CLI runs add fields to the same tenant at once', async () => {
    const tenant = newTenantId();
    const fields = ['properties.a', 'properties.b', 'properties.c', 'properties.d'];
    await Promise.all(fields.map((field) => admin.add(tenant, 'dimensions', field)));
    const settled = await admin.get(tenant);
    expect(settled.version).toBe(fields.length);
    expect(fieldsCountingAt(settled.dimensions, Date.now() + 2 * DECLARATION_MARGIN_MS).sort()).toEqual(fields);
  });
});
