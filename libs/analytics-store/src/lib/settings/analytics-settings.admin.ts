import type Redis from 'ioredis';
import { MongoServerError, type Db } from 'mongodb';
import { tenantCollection, tenantFilter, type TenantCollection, type TenantId } from '@tally/tenant-scope';
import { createIndexesOneByOne } from '@tally/mongo';
import {
  ANALYTICS_SETTINGS_COLLECTION,
  ANALYTICS_SETTINGS_INDEXES,
  DECLARATION_MARGIN_MS,
  analyticsSettingsId,
  declarationsAfter,
  type AnalyticsSettingsDocument,
} from './analytics-settings.document';

/**
 * Redis pub/sub channel on which a change to a tenant's analytics settings is announced
 * (the tenant id), so every worker reloads that tenant's record at once; their refresh
 * interval bounds staleness when a message is lost.
 */
export const ANALYTICS_CHANGES_CHANNEL = 'tally:analytics:changed';

/** What a tenant declares: the whole lists, as `PUT /admin/tenants/:id/analytics` takes them. */
export interface DeclaredLists {
  readonly dimensions: readonly string[];
  readonly measures: readonly string[];
}

const DUPLICATE_KEY = 11000;
/** Writes that lost a race with another admin request, tried again on the newer record. */
const MAX_ATTEMPTS = 5;

/**
 * Reads and changes tenants' analytics settings, behind both the admin API and the
 * tenant CLI. A change is a new document of the next version, inserted: the unique `_id`
 * (`<tenant>:<version>`) lets exactly one of two concurrent changes have that version,
 * and the other is worked out again on top of it, so no change is lost. (A conditional
 * `replaceOne({ _id, version })` is no such guard on FerretDB 1.24: four concurrent ones
 * all matched, tried on our stack.) Every change is announced.
 */
export class AnalyticsSettingsAdmin {
  private readonly settings: TenantCollection<AnalyticsSettingsDocument>;
  private indexesReady: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {
    this.settings = tenantCollection<AnalyticsSettingsDocument>(db, ANALYTICS_SETTINGS_COLLECTION);
  }

  /** The tenant's settings; a tenant that never declared anything has version 0 and empty lists. */
  async get(tenantId: TenantId): Promise<AnalyticsSettingsDocument> {
    await this.ensureIndexes();
    const [newest] = await this.settings
      .find(tenantFilter<AnalyticsSettingsDocument>(tenantId))
      .sort({ version: -1 })
      .limit(1)
      .toArray();
    return newest ?? emptySettings(tenantId);
  }

  /** Declares exactly these lists. The same lists again change nothing (same version, nothing announced). */
  async put(tenantId: TenantId, wanted: DeclaredLists): Promise<AnalyticsSettingsDocument> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(tenantId);
      const nowMs = this.now();
      const dimensions = declarationsAfter(current.dimensions, wanted.dimensions, nowMs);
      const measures = declarationsAfter(current.measures, wanted.measures, nowMs);
      if (dimensions === undefined && measures === undefined) return current;
      const next: AnalyticsSettingsDocument = {
        ...current,
        _id: analyticsSettingsId(tenantId, current.version + 1),
        version: current.version + 1,
        dimensions: dimensions ?? current.dimensions,
        measures: measures ?? current.measures,
        updatedAt: new Date(nowMs),
      };
      if (await this.insert(next)) {
        await this.redis.publish(ANALYTICS_CHANGES_CHANNEL, tenantId);
        return next;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`analytics settings of ${tenantId} kept changing under this write; try again`);
      }
    }
  }

  /**
   * Starts counting the standard dimensions of a tenant that has never had them: from a
   * margin after now, so every worker knows before it sees an event they cover. Called by
   * a worker the first time it sees the tenant's events; a tenant that has the switch
   * (on or off) is left as it is. Concurrent calls agree: one inserts the version, the
   * others then find it.
   */
  async startStandardDimensions(tenantId: TenantId): Promise<AnalyticsSettingsDocument> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(tenantId);
      if (current.standard !== undefined) return current;
      const nowMs = this.now();
      const next: AnalyticsSettingsDocument = {
        ...current,
        _id: analyticsSettingsId(tenantId, current.version + 1),
        version: current.version + 1,
        standard: { countedSince: new Date(nowMs + DECLARATION_MARGIN_MS) },
        updatedAt: new Date(nowMs),
      };
      if (await this.insert(next)) {
        await this.redis.publish(ANALYTICS_CHANGES_CHANNEL, tenantId);
        return next;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`analytics settings of ${tenantId} kept changing under this write; try again`);
      }
    }
  }

  /** Writes the next version; false if another change took that version first. */
  private async insert(next: AnalyticsSettingsDocument): Promise<boolean> {
    try {
      await this.settings.insertOne(next);
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  private ensureIndexes(): Promise<void> {
    this.indexesReady ??= createIndexesOneByOne(this.settings, ANALYTICS_SETTINGS_INDEXES).catch((error: unknown) => {
      this.indexesReady = undefined;
      throw error;
    });
    return this.indexesReady;
  }
}

const emptySettings = (tenantId: TenantId): AnalyticsSettingsDocument => ({
  _id: analyticsSettingsId(tenantId, 0),
  tenantId,
  version: 0,
  dimensions: [],
  measures: [],
  updatedAt: new Date(0),
});
