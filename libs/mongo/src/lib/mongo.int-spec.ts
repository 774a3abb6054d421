import { MongoServerError, type MongoClient } from 'mongodb';
import { testEnvironment, uniqueName } from '@tally/testing';
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
});
