import { MongoServerError, type Db } from 'mongodb';
import { createIndexesOneByOne } from '@tally/mongo';
import { tenantCollection, tenantFilter, type TenantCollection, type TenantId } from '@tally/tenant-scope';
import {
  ANALYTICS_SETTINGS_COLLECTION,
  ANALYTICS_SETTINGS_INDEXES,
  type AnalyticsSettingsDocument,
} from './analytics-settings.document';

/**
 * The versions of tenants' analytics settings, as `AnalyticsSettingsAdmin` needs them:
 * a tenant's newest, and the next one written only if no other change took its `_id`.
 */
export interface AnalyticsSettingsVersions {
  newest(tenantId: TenantId): Promise<AnalyticsSettingsDocument | undefined>;
  /** Writes `next`; false if a document with its `_id` (tenant and version) is there already. */
  insert(next: AnalyticsSettingsDocument): Promise<boolean>;
}

const DUPLICATE_KEY = 11000;

/** `analytics_settings` in MongoDB (FerretDB on our stack): one document per tenant and version. */
export class AnalyticsSettingsRepository implements AnalyticsSettingsVersions {
  private readonly settings: TenantCollection<AnalyticsSettingsDocument>;
  private indexesReady: Promise<void> | undefined;

  constructor(db: Db) {
    this.settings = tenantCollection<AnalyticsSettingsDocument>(db, ANALYTICS_SETTINGS_COLLECTION);
  }

  async newest(tenantId: TenantId): Promise<AnalyticsSettingsDocument | undefined> {
    await this.ensureIndexes();
    const [newest] = await this.settings
      .find(tenantFilter<AnalyticsSettingsDocument>(tenantId))
      .sort({ version: -1 })
      .limit(1)
      .toArray();
    return newest;
  }

  async insert(next: AnalyticsSettingsDocument): Promise<boolean> {
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
