import type { Db } from 'mongodb';
import { hashTag, platformKey, tenantKey, type PlatformKey, type RedisKey, type TenantKey } from './redis-keys.util';
import { platformCollection, tenantCollection } from './scoped-collection';
import { tenantFilter } from './tenant-filter.util';
import { newTenantId, type TenantId } from './tenant-id';

interface RawEvent {
  readonly _id: string;
  readonly tenantId: TenantId;
  readonly minute: number;
}

interface TenantRecord {
  readonly _id: TenantId;
  readonly name: string;
}

/**
 * A Db whose collections record what they are called with and answer `DRIVER_RESULT`.
 * The `@ts-expect-error` lines are the proof that matters: `tsc` fails if any of them
 * compiles. Jest runs them too, harmlessly, against this double.
 */
function recordingDb(): { db: Db; calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  const collection = new Proxy(
    {},
    {
      get:
        (_target, method) =>
        (...args: unknown[]) => {
          calls.push({ method: String(method), args });
          return DRIVER_RESULT;
        },
    },
  );
  const db = { collection: () => collection } as unknown as Db;
  return { db, calls };
}

const DRIVER_RESULT = Symbol('driver result');

describe('tenant-scoped data access', () => {
  const tenant = newTenantId();

  it('does not compile an unscoped filter on a tenant collection', () => {
    const { db, calls } = recordingDb();
    const events = tenantCollection<RawEvent>(db, 'events');

    // @ts-expect-error a plain filter names no tenant
    events.find({ minute: 1 });
    // @ts-expect-error naming the tenant by hand does not make a TenantFilter either
    events.find({ tenantId: tenant, minute: 1 });
    // @ts-expect-error an empty filter would delete every tenant's documents
    events.deleteMany({});
    // @ts-expect-error nor may an update select documents without the tenant
    events.updateOne({ _id: 'e1' }, { $set: { minute: 2 } });

    expect(events.find(tenantFilter(tenant, { minute: 1 }))).toBe(DRIVER_RESULT);
    expect(calls.at(-1)).toEqual({ method: 'find', args: [{ minute: 1, tenantId: tenant }, undefined] });
  });

  it('hands filters, documents and results to and from the driver unchanged', async () => {
    const { db, calls } = recordingDb();
    const events = tenantCollection<RawEvent>(db, 'events');
    const event: RawEvent = { _id: 'e1', tenantId: tenant, minute: 1 };

    expect(await events.insertMany([event], { ordered: false })).toBe(DRIVER_RESULT);
    expect(await events.deleteMany(tenantFilter(tenant, { _id: { $in: ['e1'] } }))).toBe(DRIVER_RESULT);
    expect(calls).toEqual([
      { method: 'insertMany', args: [[event], { ordered: false }] },
      { method: 'deleteMany', args: [{ _id: { $in: ['e1'] }, tenantId: tenant }] },
    ]);
  });

  it('holds only documents that name their tenant', () => {
    const { db } = recordingDb();
    // @ts-expect-error a tenant record has no tenantId field: it is a platform collection
    tenantCollection<TenantRecord>(db, 'tenants');
    // @ts-expect-error a document without its tenant cannot be inserted
    tenantCollection<RawEvent>(db, 'events').insertOne({ _id: 'e1', minute: 1 });

    const tenants = platformCollection<TenantRecord>(db, 'tenants');
    expect(tenants.find({})).toBe(DRIVER_RESULT);
  });

  it('does not take a bare string as a Redis key', () => {
    // @ts-expect-error a bare string is not a TenantKey
    const bare: TenantKey = `t:{${tenant}}:names`;
    // @ts-expect-error nor a PlatformKey
    const global: PlatformKey = 'agg:leader';
    // @ts-expect-error a platform key is no tenant's key
    const crossed: TenantKey = platformKey('agg', 'leader');
    const keys: RedisKey[] = [tenantKey(tenant, 'names'), platformKey('proc', hashTag('g'), 'applied', 'events', 0)];

    expect([bare, global, crossed, ...keys]).toEqual([
      `t:{${tenant}}:names`,
      'agg:leader',
      'agg:leader',
      `t:{${tenant}}:names`,
      'proc:{g}:applied:events:0',
    ]);
  });
});
