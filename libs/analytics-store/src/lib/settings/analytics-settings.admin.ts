import type Redis from 'ioredis';
import type { Db } from 'mongodb';
import {
  analyticsSettingsRequestV1Schema,
  describeIssues,
  summariseProblems,
  type FieldProblem,
} from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';
import { storedLeafProblem } from '../event-fields/event-fields';
import {
  DECLARATION_MARGIN_MS,
  analyticsSettingsId,
  declarationsAfter,
  type AnalyticsSettingsDocument,
} from './analytics-settings.document';
import { AnalyticsSettingsRepository, type AnalyticsSettingsVersions } from './analytics-settings.repository';

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

export type DeclaredList = keyof DeclaredLists;

/** Tells every worker that a tenant's settings changed (`ANALYTICS_CHANGES_CHANNEL`). */
export type AnnounceChange = (tenantId: TenantId) => Promise<unknown>;

/** A change the settings cannot take, by field (`dimensions.2: …`): a 400. */
export class AnalyticsSettingsRefusedError extends Error {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid analytics settings: ${summariseProblems(problems)}`);
    this.name = 'AnalyticsSettingsRefusedError';
  }
}

/** Other changes to the tenant's settings kept winning the next version: a 409, to be tried again. */
export class AnalyticsSettingsContendedError extends Error {
  constructor(tenantId: TenantId, attempts: number) {
    super(
      `the analytics settings of ${tenantId} changed under this change ${attempts} times in a row (other changes at the same time); nothing was changed by it: try again`,
    );
    this.name = 'AnalyticsSettingsContendedError';
  }
}

/** Writes that lost a race with another change, worked out again on the newer record. */
const MAX_ATTEMPTS = 5;

/**
 * Reads and changes tenants' analytics settings, behind both the admin API and the
 * tenant CLI. A change is a new document of the next version, inserted: the unique `_id`
 * (`<tenant>:<version>`) lets exactly one of two concurrent changes have that version,
 * and the other is worked out again on top of it, so no change is lost. (A conditional
 * `replaceOne({ _id, version })` is no such guard on FerretDB 1.24: four concurrent ones
 * all matched, tried on our stack.) That is why `add` and `remove` are here and not in
 * their callers: a caller that read the lists, edited them and put them back would undo
 * a change made in between. Every change is announced.
 *
 * A change is checked against the request contract (bounds, standard and identifying
 * fields) and, for the fields it adds, against what the worker stores
 * (`storedLeafProblem`), which the contract cannot know: the field codec lives here.
 */
export class AnalyticsSettingsAdmin {
  constructor(
    private readonly versions: AnalyticsSettingsVersions,
    private readonly announce: AnnounceChange,
    private readonly now: () => number = Date.now,
  ) {}

  /** On MongoDB, announced on Redis: what the aggregation-api and the tenant CLI use. */
  static on(db: Db, redis: Redis): AnalyticsSettingsAdmin {
    return new AnalyticsSettingsAdmin(new AnalyticsSettingsRepository(db), (tenantId) =>
      redis.publish(ANALYTICS_CHANGES_CHANNEL, tenantId),
    );
  }

  /** The tenant's settings; a tenant that never declared anything has version 0 and empty lists. */
  async get(tenantId: TenantId): Promise<AnalyticsSettingsDocument> {
    return (await this.versions.newest(tenantId)) ?? emptySettings(tenantId);
  }

  /** Declares exactly these lists. The same lists again change nothing (same version, nothing announced). */
  put(tenantId: TenantId, wanted: DeclaredLists): Promise<AnalyticsSettingsDocument> {
    return this.change(tenantId, () => wanted);
  }

  /** Adds one field to a list, on top of whatever the newest version declares; already there, nothing changes. */
  add(tenantId: TenantId, list: DeclaredList, field: string): Promise<AnalyticsSettingsDocument> {
    return this.change(tenantId, (open) =>
      open[list].includes(field) ? open : { ...open, [list]: [...open[list], field] },
    );
  }

  /** Ends one field of a list, on top of whatever the newest version declares; not there, nothing changes. */
  remove(tenantId: TenantId, list: DeclaredList, field: string): Promise<AnalyticsSettingsDocument> {
    return this.change(tenantId, (open) => ({ ...open, [list]: open[list].filter((f) => f !== field) }));
  }

  /**
   * Starts counting the standard dimensions of a tenant that has never had them: from a
   * margin after now, so every worker knows before it sees an event they cover. Called by
   * a worker the first time it sees the tenant's events; a tenant that has the switch
   * (on or off) is left as it is. Concurrent calls agree: one inserts the version, the
   * others then find it.
   */
  async startStandardDimensions(tenantId: TenantId): Promise<AnalyticsSettingsDocument> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
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
      if (await this.versions.insert(next)) {
        await this.announce(tenantId);
        return next;
      }
    }
    throw new AnalyticsSettingsContendedError(tenantId, MAX_ATTEMPTS);
  }

  /**
   * Writes the lists `wantedOf` makes of the newest version's open fields, as the next
   * version; when another change took that version first, reads the newer one and
   * works the change out again on top of it.
   */
  private async change(
    tenantId: TenantId,
    wantedOf: (open: DeclaredLists) => DeclaredLists,
  ): Promise<AnalyticsSettingsDocument> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.get(tenantId);
      const open = openListsOf(current);
      const wanted = wantedOf(open);
      const problems = problemsOf(wanted, open);
      if (problems.length > 0) throw new AnalyticsSettingsRefusedError(problems);
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
      if (await this.versions.insert(next)) {
        await this.announce(tenantId);
        return next;
      }
    }
    throw new AnalyticsSettingsContendedError(tenantId, MAX_ATTEMPTS);
  }
}

/**
 * Open entries only: a field removed less than a minute ago still counts until then,
 * but is no longer declared.
 */
function openListsOf(settings: AnalyticsSettingsDocument): DeclaredLists {
  const open = (list: DeclaredList) => settings[list].filter((d) => d.countedUntil === undefined).map((d) => d.field);
  return { dimensions: open('dimensions'), measures: open('measures') };
}

/**
 * What is wrong with `wanted`: the contract's rules over the whole lists, and for each
 * field they add, whether the worker stores it at all. A field declared already is not
 * checked again, so a declaration made before a rule can still be kept or removed.
 */
function problemsOf(wanted: DeclaredLists, open: DeclaredLists): FieldProblem[] {
  const parsed = analyticsSettingsRequestV1Schema.safeParse(wanted);
  if (!parsed.success) return describeIssues(parsed.error);
  const problems: FieldProblem[] = [];
  for (const list of ['dimensions', 'measures'] as const) {
    wanted[list].forEach((field, index) => {
      if (open[list].includes(field)) return;
      const problem = storedLeafProblem(field);
      if (problem !== undefined) problems.push({ field: `${list}.${index}`, rule: `${field} ${problem}` });
    });
  }
  return problems;
}

const emptySettings = (tenantId: TenantId): AnalyticsSettingsDocument => ({
  _id: analyticsSettingsId(tenantId, 0),
  tenantId,
  version: 0,
  dimensions: [],
  measures: [],
  updatedAt: new Date(0),
});
