import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Db } from 'mongodb';
import { PinoLogger } from 'nestjs-pino';
import {
  ANALYTICS_CHANGES_CHANNEL,
  AnalyticsSettingsAdmin,
  type AnalyticsSettingsDocument,
} from '@tally/analytics-store';
import { MONGO_DB } from '@tally/mongo';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';

/** How a tenant's settings are loaded: its newest version, with the standard dimensions started if never were. */
export type SettingsLoader = (tenantId: TenantId) => Promise<AnalyticsSettingsDocument>;

/** When a cached record is refreshed and when it may no longer be used (0009 section 2, "How the worker learns"). */
export const SETTINGS_FRESHNESS = {
  /** Older than this, a record is reloaded in the background while it is still used. */
  refreshAfterMs: 5_000,
  /**
   * Older than this (its refreshes keep failing), a record is not used: the chunk waits
   * for the store instead. Well inside the 60 s between a change and the events it
   * covers, so a worker never counts an event by a record that missed the change.
   */
  unusableAfterMs: 30_000,
  /** Tenants not seen for this long are forgotten. */
  forgetAfterMs: 600_000,
} as const;

/** One tenant's record as held; `loadedAt` is when its read began. */
export interface SettingsCacheEntry {
  readonly settings: AnalyticsSettingsDocument;
  readonly loadedAt: number;
  usedAt: number;
  refreshing?: Promise<void>;
}

/** The settings of tenants whose events this worker works, held in process. */
@Injectable()
export class AnalyticsSettingsCache implements OnModuleInit, OnApplicationShutdown {
  private readonly entries = new Map<TenantId, SettingsCacheEntry>();
  private readonly load: SettingsLoader;
  private subscriber: Redis | undefined;

  constructor(
    @Inject(MONGO_DB) db: Db,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(AnalyticsSettingsCache.name);
    const admin = AnalyticsSettingsAdmin.on(db, redis);
    this.load = (tenantId) => admin.startStandardDimensions(tenantId);
  }

  /** Subscribes to change announcements on a connection of its own (a subscribed connection can do nothing else). */
  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate({ connectionName: 'analytics-settings-changes' });
    this.subscriber.on('message', (_channel: string, tenantId: string) => this.entries.delete(tenantId as TenantId));
    // After a reconnect we may have missed announcements: forget everything.
    this.subscriber.on('ready', () => this.entries.clear());
    await this.subscriber.subscribe(ANALYTICS_CHANGES_CHANNEL);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /**
   * The settings of these tenants, each at most `unusableAfterMs` old. Loads what is
   * missing or too old (and throws when it cannot: the caller waits for the store), and
   * refreshes in the background what is older than `refreshAfterMs`.
   */
  async settingsOf(tenants: Iterable<TenantId>, nowMs = Date.now()): Promise<Map<TenantId, AnalyticsSettingsDocument>> {
    return settingsFrom(this.entries, this.load, tenants, nowMs, (tenantId, error) =>
      this.logger.warn({ tenantId, err: error }, 'analytics settings refresh failed: using the record held'),
    );
  }
}

/**
 * The cache's rule, apart from Nest and the stores (its spec drives it with a loader of
 * its own and a clock): what `settingsOf` does.
 */
export async function settingsFrom(
  entries: Map<TenantId, SettingsCacheEntry>,
  load: SettingsLoader,
  tenants: Iterable<TenantId>,
  nowMs: number,
  onRefreshFailed: (tenantId: TenantId, error: unknown) => void,
): Promise<Map<TenantId, AnalyticsSettingsDocument>> {
  for (const [tenantId, entry] of entries) {
    if (nowMs - entry.usedAt > SETTINGS_FRESHNESS.forgetAfterMs) entries.delete(tenantId);
  }
  const result = new Map<TenantId, AnalyticsSettingsDocument>();
  const missing: TenantId[] = [];
  for (const tenantId of new Set(tenants)) {
    const entry = entries.get(tenantId);
    if (entry === undefined || nowMs - entry.loadedAt > SETTINGS_FRESHNESS.unusableAfterMs) {
      missing.push(tenantId);
      continue;
    }
    entry.usedAt = nowMs;
    result.set(tenantId, entry.settings);
    if (nowMs - entry.loadedAt > SETTINGS_FRESHNESS.refreshAfterMs && entry.refreshing === undefined) {
      entry.refreshing = load(tenantId).then(
        (settings) => {
          // Only if no announcement dropped the entry meanwhile: then the next use loads anew.
          if (entries.get(tenantId) === entry)
            entries.set(tenantId, { settings, loadedAt: nowMs, usedAt: entry.usedAt });
        },
        (error: unknown) => {
          entry.refreshing = undefined;
          onRefreshFailed(tenantId, error);
        },
      );
    }
  }
  const loaded = await Promise.all(missing.map(load));
  missing.forEach((tenantId, i) => {
    const settings = loaded[i] as AnalyticsSettingsDocument;
    entries.set(tenantId, { settings, loadedAt: nowMs, usedAt: nowMs });
    result.set(tenantId, settings);
  });
  return result;
}
