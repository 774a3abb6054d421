import { MongoServerError, type MongoClient } from 'mongodb';
import { testEnvironment, uniqueName } from '@tally/testing';
import { createIndexesOneByOne } from './create-indexes.util';
import { createMongoClient } from './create-mongo-client.util';

describe('MongoDB wire store (real server)', () => {
  const env = testEnvironment();
  let client: MongoClient;

  beforeAll(() => {
    client = createMongoClient(env.mongo, 'tally-tests');
  });

  afterAll(async () => {
    await client?.close();
  });

  it('reports a unique-index violation as duplicate key (11000)', async () => {
    const events = client.db(env.mongo.database).collection(uniqueName('smoke_events'));
    try {
      await events.createIndex({ tenantId: 1, messageId: 1 }, { unique: true });
      await events.insertOne({ tenantId: 't1', messageId: 'm1' });
      await events.insertOne({ tenantId: 't2', messageId: 'm1' });

      const duplicate = events.insertOne({ tenantId: 't1', messageId: 'm1' });
      await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
      await expect(duplicate).rejects.toMatchObject({ code: 11000 });
      expect(await events.countDocuments({})).toBe(2);
    } finally {
      await events.drop();
    }
  });

  it('creates several indexes again on every start without breaking the connection', async () => {
    const events = client.db(env.mongo.database).collection(uniqueName('smoke_indexes'));
    const indexes = [
      { key: { tenantId: 1, minute: 1 }, name: 'tenant_minute' },
      { key: { tenantId: 1, props: 1, minute: 1 }, name: 'tenant_props_minute' },
    ] as const;
    try {
      await events.insertOne({ tenantId: 't1', minute: 1, props: ['a=1', 'b=2'] });
      // The second time is what every app start after the first does: all of them exist already.
      await createIndexesOneByOne(events, indexes);
      await createIndexesOneByOne(events, indexes);
      const names = (await events.indexes()).map((index) => index.name);
      expect(names).toEqual(expect.arrayContaining(['tenant_minute', 'tenant_props_minute']));
      expect(await events.countDocuments({ tenantId: 't1', props: 'a=1' })).toBe(1);
    } finally {
      await events.drop();
    }
  });
});
