import type { Collection, MongoClient } from 'mongodb';
import { createMongoClient } from '@tally/mongo';
import { newTenantId } from '@tally/tenant-scope';
import { testEnvironment, uniqueName } from '@tally/testing';
import { storedFields } from '../event-fields/stored-fields.codec';
import { RAW_EVENT_VERSION, type StoredRawEvent } from '../raw-events.collection';
import { matchesAll, type FieldFilter } from './field-predicate';
import { foldableEvent } from './foldable-events.fixture';
import type { FoldableEvent } from './foldable-event';
import { scanPrefilterOf } from './scan-prefilter';

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const VALUES: readonly (string | number | boolean)[] = ['pro', 'free', 'a.b', 'x=y', '$x', 'a(b)', '', 10, 2.5, true];
const KEYS = ['plan', 'a.b', 'n', 'tag'];
const OPS = ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;

/**
 * The scan's store filter against the real store: for random filters over events with
 * awkward keys and values, whatever the predicate (the definition) matches, the store
 * filter must return. It may return more, never less (0009 section 1).
 */
describe('scanPrefilterOf on the real store', () => {
  const env = testEnvironment();
  let client: MongoClient;
  let events: Collection<StoredRawEvent>;
  const tenantId = newTenantId();
  const stored = new Map<string, FoldableEvent>();

  beforeAll(async () => {
    client = createMongoClient(env.mongo, 'tally-tests');
    events = client.db(env.mongo.database).collection<StoredRawEvent>(uniqueName('prefilter_events'));
    const rnd = random(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const documents: StoredRawEvent[] = [];
    for (let i = 0; i < 400; i++) {
      const properties: Record<string, unknown> = {};
      for (const key of KEYS) if (rnd() < 0.7) properties[key] = pick(VALUES);
      const event = foldableEvent({
        name: pick(['Signed Up', 'cart.item $added', 'Purchase']),
        properties,
        standard: rnd() < 0.5 ? { $path: pick(['/pricing', '/pricing/team', '/docs']) } : {},
        at: 60_000 * (1_000 + (i % 60)),
      });
      const id = `${tenantId}:${i}`;
      stored.set(id, event);
      documents.push({
        _id: id,
        tenantId,
        v: RAW_EVENT_VERSION,
        name: event.name,
        userKey: event.userKey,
        timestamp: new Date(event.timestampMs),
        minute: Math.floor(event.timestampMs / 60_000),
        receivedAt: new Date(event.receivedAtMs),
        src: `events/0/${i}`,
        payload: '{}',
        ...storedFields.encode(event),
      });
    }
    await events.insertMany(documents);
  });

  afterAll(async () => {
    await events?.drop();
    await client?.close();
  });

  it('returns at least every event the predicate matches, for 150 random filters', async () => {
    const rnd = random(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const filterOf = (): FieldFilter => {
      const field = rnd() < 0.15 ? 'event' : rnd() < 0.2 ? '$path' : `properties.${pick(KEYS).replace('.', '%2E')}`;
      const op = pick(OPS);
      switch (op) {
        case 'eq':
        case 'neq':
          return { field, op, value: field === 'event' ? pick(['Purchase', 'x']) : pick(VALUES) };
        case 'in':
        case 'not_in':
          return { field, op, value: [pick(VALUES), pick(VALUES), field === 'event' ? 'Signed Up' : '/docs'] };
        case 'contains':
        case 'starts_with':
          return { field, op, value: pick(['p', 'a.', '$', '/pricing', 'a(']) };
        case 'exists':
          return { field, op };
        default:
          return { field, op, value: pick([0, 2.5, 10]) };
      }
    };
    let narrowed = 0;
    for (let i = 0; i < 150; i++) {
      const filters = Array.from({ length: 1 + Math.floor(rnd() * 3) }, filterOf);
      const selection = { startMinute: 1_000, endMinute: 1_060, filters };
      const found = await events
        .find({ ...scanPrefilterOf(selection), tenantId }, { projection: { _id: 1 } })
        .toArray();
      const returned = new Set(found.map((d) => d._id));
      const matched = [...stored].filter(([, event]) => matchesAll(event, filters)).map(([id]) => id);
      const missing = matched.filter((id) => !returned.has(id));
      expect({ filters, missing }).toEqual({ filters, missing: [] });
      if (returned.size < stored.size) narrowed++;
    }
    // It does narrow: most random filters include one the store can use.
    expect(narrowed).toBeGreaterThan(50);
  });
});
