import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { RAW_EVENTS_COLLECTION, type StoredRawEvent } from '@tally/analytics-store';
import { MONGO_DB } from '@tally/mongo';
import { tenantCollection, tenantFilter, type TenantCollection, type TenantId } from '@tally/tenant-scope';

export interface RawMinute {
  readonly counts: Map<string, number>;
  /** User keys by counted name. */
  readonly users: Map<string, Set<string>>;
}

/**
 * Recounts one minute of one tenant from the durable raw events: the fallback when the
 * Redis counters of a dirty minute are gone (expired before they were rolled up, or
 * Redis lost them). On real MongoDB it reads by the `tenant_minute` index; FerretDB
 * scans the collection, which is why this is a fallback and not the rule.
 */
@Injectable()
export class RawMinuteReader {
  private readonly events: TenantCollection<StoredRawEvent>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.events = tenantCollection<StoredRawEvent>(db, RAW_EVENTS_COLLECTION);
  }

  async read(tenantId: TenantId, minute: number): Promise<RawMinute> {
    const counts = new Map<string, number>();
    const users = new Map<string, Set<string>>();
    const cursor = this.events.find(tenantFilter<StoredRawEvent>(tenantId, { minute }), {
      projection: { _id: 0, name: 1, userKey: 1 },
    });
    for await (const { name, userKey } of cursor) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const named = users.get(name) ?? new Set<string>();
      named.add(userKey);
      users.set(name, named);
    }
    return { counts, users };
  }
}
