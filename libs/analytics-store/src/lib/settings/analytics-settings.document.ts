import type { TenantId } from '@tally/tenant-scope';

/**
 * MongoDB collection of tenants' analytics settings: one document per tenant and version,
 * never changed once written (`_id` = `<tenantId>:<version>`); a tenant's settings are its
 * newest version.
 */
export const ANALYTICS_SETTINGS_COLLECTION = 'analytics_settings';

/** Serves "the newest version of one tenant": equality, then the version descending. */
export const ANALYTICS_SETTINGS_INDEXES = [{ key: { tenantId: 1, version: -1 }, name: 'tenant_version' }] as const;

export const analyticsSettingsId = (tenantId: TenantId, version: number): string => `${tenantId}:${version}`;

/**
 * Events received from `countedSince` (and before `countedUntil`) are counted for this
 * field. Both are a minute after the change was made, so every worker knows of the change
 * before it sees an event it covers (0009 section 2, "When a declaration counts").
 */
export interface CountingPeriod {
  readonly countedSince: Date;
  readonly countedUntil?: Date;
}

export interface DeclaredField extends CountingPeriod {
  readonly field: string;
}

/**
 * What a tenant has counted in real time besides event names. Entries are never edited
 * but ended: a removed field keeps its entry with `countedUntil`, so its past counters
 * stay readable for the windows it covered.
 */
export interface AnalyticsSettingsDocument {
  readonly _id: string;
  readonly tenantId: TenantId;
  /** Grows by one with every change: part of the query cache key, and (through `_id`) the write guard. */
  readonly version: number;
  readonly dimensions: readonly DeclaredField[];
  readonly measures: readonly DeclaredField[];
  /**
   * The standard dimensions, one switch for all of them. Absent until the tenant's events
   * are first seen by a worker, which starts them a margin from then
   * (`AnalyticsSettingsAdmin.startStandardDimensions`).
   */
  readonly standard?: CountingPeriod;
  readonly updatedAt: Date;
}

/** A declaration takes effect this long after it is made (clock skew, the workers' settings refresh). */
export const DECLARATION_MARGIN_MS = 60_000;

/** Entries kept per list, ended ones dropped oldest first beyond it. */
export const MAX_DECLARATION_HISTORY = 50;

/** The fields of a list counting at `atMs` or later: declared and not ended by then. */
export const fieldsCountingAt = (declared: readonly DeclaredField[], atMs: number): string[] =>
  declared.filter((d) => d.countedUntil === undefined || d.countedUntil.getTime() > atMs).map((d) => d.field);

/**
 * A list after a PUT of `wanted` at `nowMs`: fields still wanted keep their entry, new
 * ones start counting a margin from now, and fields no longer wanted stop a margin from
 * now. `undefined` when nothing changes: the same list sent again is no change at all.
 */
export function declarationsAfter(
  declared: readonly DeclaredField[],
  wanted: readonly string[],
  nowMs: number,
): DeclaredField[] | undefined {
  const at = new Date(nowMs + DECLARATION_MARGIN_MS);
  const open = (d: DeclaredField) => d.countedUntil === undefined;
  const counting = new Set(declared.filter(open).map((d) => d.field));
  const wantedSet = new Set(wanted);
  const ended = declared.filter((d) => open(d) && !wantedSet.has(d.field));
  const added = wanted.filter((field) => !counting.has(field));
  if (ended.length === 0 && added.length === 0) return undefined;
  const next = declared.map((d) => (open(d) && !wantedSet.has(d.field) ? { ...d, countedUntil: at } : d));
  next.push(...added.map((field) => ({ field, countedSince: at })));
  // Beyond the history bound, the oldest ended entries go: open ones always stay.
  let excess = next.length - MAX_DECLARATION_HISTORY;
  return excess <= 0 ? next : next.filter((d) => open(d) || excess-- <= 0);
}
