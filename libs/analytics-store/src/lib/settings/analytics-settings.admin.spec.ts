import { newTenantId, type TenantId } from '@tally/tenant-scope';
import {
  AnalyticsSettingsAdmin,
  AnalyticsSettingsContendedError,
  AnalyticsSettingsRefusedError,
} from './analytics-settings.admin';
import { fieldsCountingAt, type AnalyticsSettingsDocument } from './analytics-settings.document';
import type { AnalyticsSettingsVersions } from './analytics-settings.repository';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const LATER = NOW + 10 * 60_000;

/**
 * The versions in memory, with the one guard the real store gives: an `_id` is written
 * once. Each call waits a turn of the event loop, as a store round trip does, so that
 * changes made at once interleave. `rival` writes a competing version just before each
 * of the admin's inserts, while it returns one.
 */
class InMemoryVersions implements AnalyticsSettingsVersions {
  readonly documents = new Map<string, AnalyticsSettingsDocument>();
  inserts = 0;
  rival: ((newest: AnalyticsSettingsDocument) => AnalyticsSettingsDocument | undefined) | undefined;

  async newest(tenantId: TenantId): Promise<AnalyticsSettingsDocument | undefined> {
    await turn();
    const mine = [...this.documents.values()].filter((d) => d.tenantId === tenantId);
    return mine.sort((a, b) => b.version - a.version)[0];
  }

  async insert(next: AnalyticsSettingsDocument): Promise<boolean> {
    await turn();
    this.inserts++;
    const rival = this.rival?.(next);
    if (rival !== undefined) this.documents.set(rival._id, rival);
    if (this.documents.has(next._id)) return false;
    this.documents.set(next._id, next);
    return true;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function adminOf(versions = new InMemoryVersions()) {
  const announced: TenantId[] = [];
  const admin = new AnalyticsSettingsAdmin(
    versions,
    async (tenantId) => announced.push(tenantId),
    () => NOW,
  );
  return { admin, versions, announced };
}

const counting = (settings: AnalyticsSettingsDocument) => ({
  dimensions: fieldsCountingAt(settings.dimensions, LATER).sort(),
  measures: fieldsCountingAt(settings.measures, LATER).sort(),
});

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the change to be refused');
}

describe('AnalyticsSettingsAdmin', () => {
  describe('fields the worker never stores', () => {
    it.each([
      ['more than 4 segments below the root', 'properties.a.b.c.d.e', /5 segments below properties/],
      ['an escape in lower case', 'properties.a%2eb', /not a key the worker stores/],
      ['an escape of a character that needs none', 'properties.%41', /not a key the worker stores/],
      ['a raw "="', 'properties.a=b', /not a key the worker stores/],
      ['a context field that is no leaf', 'context.userAgent.browser', /under context.userAgent/],
    ])('refuses %s, naming the field, and writes nothing', async (_, field, rule) => {
      const { admin, versions, announced } = adminOf();
      const tenant = newTenantId();
      const error = await failureOf(admin.put(tenant, { dimensions: ['properties.plan', field], measures: [] }));
      expect(error).toBeInstanceOf(AnalyticsSettingsRefusedError);
      expect((error as AnalyticsSettingsRefusedError).problems).toEqual([
        { field: 'dimensions.1', rule: expect.stringMatching(new RegExp(`^${escaped(field)} .*${rule.source}`)) },
      ]);
      expect(await failureOf(admin.add(tenant, 'measures', field))).toMatchObject({
        problems: [{ field: 'measures.0' }],
      });
      expect({ documents: versions.documents.size, announced }).toEqual({ documents: 0, announced: [] });
    });

    it('keeps, and lets go of, a field declared before it was refused', async () => {
      const { admin, versions } = adminOf();
      const tenant = newTenantId();
      const old = 'properties.a.b.c.d.e';
      versions.documents.set(`${tenant}:1`, {
        _id: `${tenant}:1`,
        tenantId: tenant,
        version: 1,
        dimensions: [{ field: old, countedSince: new Date(NOW - 86_400_000) }],
        measures: [],
        updatedAt: new Date(NOW - 86_400_000),
      });
      expect((await admin.add(tenant, 'dimensions', 'properties.plan')).version).toBe(2);
      const removed = await admin.remove(tenant, 'dimensions', old);
      expect(counting(removed)).toEqual({ dimensions: ['properties.plan'], measures: [] });
    });
  });

  describe('add and remove', () => {
    it('adds and removes one field on top of the newest version, announcing each change', async () => {
      const { admin, announced } = adminOf();
      const tenant = newTenantId();
      await admin.put(tenant, { dimensions: ['properties.plan'], measures: [] });
      await admin.add(tenant, 'measures', 'properties.revenue');
      const settings = await admin.remove(tenant, 'dimensions', 'properties.plan');
      expect(settings.version).toBe(3);
      expect(counting(settings)).toEqual({ dimensions: [], measures: ['properties.revenue'] });
      expect(announced).toEqual([tenant, tenant, tenant]);
    });

    it('changes nothing to add a field declared already, or remove one that is not', async () => {
      const { admin, announced } = adminOf();
      const tenant = newTenantId();
      const first = await admin.add(tenant, 'dimensions', 'properties.plan');
      expect(await admin.add(tenant, 'dimensions', 'properties.plan')).toEqual(first);
      expect(await admin.remove(tenant, 'measures', 'properties.revenue')).toEqual(first);
      expect(announced).toHaveLength(1);
    });

    it('loses no field when several are added and removed at once: each is applied to the version before', async () => {
      const { admin } = adminOf();
      const tenant = newTenantId();
      await admin.put(tenant, { dimensions: ['properties.old'], measures: [] });
      await Promise.all([
        admin.add(tenant, 'dimensions', 'properties.a'),
        admin.add(tenant, 'dimensions', 'properties.b'),
        admin.remove(tenant, 'dimensions', 'properties.old'),
        admin.add(tenant, 'measures', 'properties.revenue'),
      ]);
      const settled = await admin.get(tenant);
      expect(settled.version).toBe(5);
      expect(counting(settled)).toEqual({
        dimensions: ['properties.a', 'properties.b'],
        measures: ['properties.revenue'],
      });
    });

    it('refuses a sixth dimension, naming the list', async () => {
      const { admin } = adminOf();
      const tenant = newTenantId();
      await admin.put(tenant, { dimensions: ['a', 'b', 'c', 'd', 'e'].map((k) => `properties.${k}`), measures: [] });
      const error = await failureOf(admin.add(tenant, 'dimensions', 'properties.f'));
      expect(error).toMatchObject({ problems: [{ field: 'dimensions', rule: expect.stringContaining('at most 5') }] });
    });
  });

  describe('too many changes at once', () => {
    it('gives up with AnalyticsSettingsContendedError, having changed nothing, when others keep taking the next version', async () => {
      const versions = new InMemoryVersions();
      versions.rival = (next) => ({ ...next, dimensions: [] });
      const { admin, announced } = adminOf(versions);
      const tenant = newTenantId();
      const error = await failureOf(admin.add(tenant, 'dimensions', 'properties.plan'));
      expect(error).toBeInstanceOf(AnalyticsSettingsContendedError);
      expect(error).toMatchObject({ message: expect.stringContaining('try again') });
      expect(versions.inserts).toBe(5);
      expect(counting(await admin.get(tenant)).dimensions).toEqual([]);
      expect(announced).toEqual([]);
    });

    it('works the change out again on top of each rival version while the retries last', async () => {
      const versions = new InMemoryVersions();
      let rivals = 2;
      // Another admin declares a measure, taking the version this change wanted, twice.
      const revenue = { field: 'properties.revenue', countedSince: new Date(NOW) };
      versions.rival = (next) => (rivals-- > 0 ? { ...next, dimensions: [], measures: [revenue] } : undefined);
      const { admin } = adminOf(versions);
      const settings = await admin.add(newTenantId(), 'dimensions', 'properties.plan');
      expect({ version: settings.version, ...counting(settings) }).toEqual({
        version: 3,
        dimensions: ['properties.plan'],
        measures: ['properties.revenue'],
      });
    });
  });
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
