import type { MongoClient } from 'mongodb';
import { RAW_EVENT_VERSION, type RawEventDocument } from '@tally/analytics-store';
import { createMongoClient } from '@tally/mongo';
import { newTenantId } from '@tally/tenant-scope';
import { testEnvironment } from '@tally/testing';
import { RawEventStore } from './raw-event.store';

/** Deduplication by tenant + messageId and recognition of one's own earlier inserts, against the real store. */
describe('RawEventStore', () => {
  const env = testEnvironment();
  let client: MongoClient;
  let store: RawEventStore;

  beforeAll(() => {
    client = createMongoClient(env.mongo, 'tally-test');
    store = new RawEventStore(client.db(env.mongo.database));
  });

  afterAll(() => client.close());

  const tenant = newTenantId();
  const doc = (messageId: string, offset: number): RawEventDocument => ({
    _id: `${tenant}:${messageId}`,
    tenantId: tenant,
    v: RAW_EVENT_VERSION,
    name: 'Signed Up',
    userKey: 'u:1',
    timestamp: new Date(),
    minute: 1,
    receivedAt: new Date(),
    src: `topic/0/${offset}`,
    props: '\n$library=analytics-node\n',
    nums: '',
    payload: '{}',
  });

  it('stores new events and calls a second message with the same messageId a duplicate', async () => {
    expect(await store.store([doc('a', 1), doc('b', 2), doc('a', 3)], () => false)).toEqual([
      { kind: 'owned' },
      { kind: 'owned' },
      { kind: 'duplicate' },
    ]);
  });

  it('recognises its own earlier insert when told it may be one, and still refuses others', async () => {
    await store.store([doc('c', 10)], () => false);
    // Redelivery of offset 10 (may be ours) beside another message carrying "c" (offset 11).
    expect(await store.store([doc('c', 10), doc('c', 11)], () => true)).toEqual([
      { kind: 'owned' },
      { kind: 'duplicate' },
    ]);
  });

  it('keeps tenants apart: the same messageId in another tenant is another event', async () => {
    const other = { ...doc('a', 20), _id: `${newTenantId()}:a` };
    expect(await store.store([other], () => false)).toEqual([{ kind: 'owned' }]);
  });
});
