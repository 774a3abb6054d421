import { BadRequestException, HttpException, Inject, Injectable } from '@nestjs/common';
import {
  EventFold,
  FoldBoundError,
  fieldPath,
  planQuery,
  realtimeKeys,
  type FoldAnswer,
  type QueryPlan,
} from '@tally/analytics-store';
import { QUERY_LIMITS, QUERY_V1_LIMITS, type AnalyticsAnswerV1, type AnalyticsQueryV1 } from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';
import { TenantClaims } from '../../claims/tenant-claims';
import { QueryTooLargeError } from '../counts.reader';
import { NameCounterAnswers, NeedsScan } from './name-counter.answers';
import { bucketCountOf, queryWindowsOf, type QueryWindows } from './query-windows';
import { RawEventScan, ScanBoundError } from './raw-event.scan';
import { ScanSlots, ScanSlotsFull } from './scan-slots';

/** The scan's bounds (`QUERY_SCAN_*`, 0009 section 5). */
export interface ScanOptions {
  readonly maxDays: number;
  readonly maxEvents: number;
  readonly timeLimitMs: number;
  /** Query tokens a scan takes from the tenant's quota, the request's own one included. */
  readonly tokenCost: number;
  /** Scans one tenant may run at once on all replicas together. */
  readonly maxConcurrentPerTenantAllReplicas: number;
}

/** A scan's claim among the tenant's scans on every replica lapses this long after its time limit (a replica that died). */
const CLAIM_MARGIN_MS = 5_000;

export const SCAN_OPTIONS = Symbol('SCAN_OPTIONS');

/** A plan the service runs: the planner's, with the scan it falls back to if the counters decline. */
export type RunnablePlan = Extract<QueryPlan, { kind: 'counters' | 'scan' }>;

/** What a scan is charged before it reads (the caller's quota): throws to refuse it. */
export type ChargeScan = () => Promise<void>;

/**
 * `POST /v1/query`: plans a question (`planQuery`), then answers it from the counters or
 * by a bounded scan of the tenant's raw events, and says which and why. Both paths give
 * the same rows for the same question: the scan's fold is the definition, and the counter
 * path reproduces its rows, order and ties.
 */
@Injectable()
export class QueryV1Service {
  constructor(
    private readonly counters: NameCounterAnswers,
    private readonly scans: RawEventScan,
    private readonly slots: ScanSlots,
    private readonly claims: TenantClaims,
    @Inject(SCAN_OPTIONS) private readonly options: ScanOptions,
  ) {}

  /**
   * The plan, or a 400 naming the field: the bucket and row bounds (which need the zone's
   * calendar) and the planner's refusals. Called before the cache or any slot: a refused
   * question costs nothing else.
   */
  plan(query: AnalyticsQueryV1, nowMs = Date.now()): RunnablePlan {
    const buckets = bucketCountOf(query);
    if (buckets > QUERY_LIMITS.maxBuckets) {
      throw badRequest(
        'interval',
        `too many buckets: ${buckets.toLocaleString('en-US')} ${query.interval} buckets, at most ${QUERY_LIMITS.maxBuckets.toLocaleString('en-US')}; use a coarser interval or a shorter range`,
      );
    }
    if (buckets * query.limit > QUERY_V1_LIMITS.maxRows) {
      throw badRequest(
        'limit',
        `at most ${QUERY_V1_LIMITS.maxRows.toLocaleString('en-US')} rows (limit × buckets; here ${query.limit} × ${buckets}); lower limit or use a coarser interval`,
      );
    }
    this.checkFields(query);
    const plan = planQuery(query, { nowMs, scanMaxDays: this.options.maxDays, counted: { dimensions: [] } });
    if (plan.kind === 'refused') throw badRequest(plan.field, plan.rule);
    return plan;
  }

  /**
   * 400 for a field no stored event can hold: a key the field-path codec would never
   * build (`properties.a=b`, lower-case escapes) would otherwise match another field's
   * entries (`properties.a` = `b=…`).
   */
  private checkFields(query: AnalyticsQueryV1): void {
    const named: [string, string][] = [
      ...query.breakdown.map((field, i): [string, string] => [`breakdown.${i}`, field]),
      ...query.filters.map((filter, i): [string, string] => [`filters.${i}.field`, filter.field]),
      ...query.metrics.flatMap((metric, i): [string, string][] => {
        const colon = metric.indexOf(':');
        return colon < 0 ? [] : [[`metrics.${i}`, metric.slice(colon + 1)]];
      }),
    ];
    for (const [at, field] of named) {
      if (field !== 'event' && fieldPath.decode(field) === undefined) {
        throw badRequest(at, `${field} is not a field key: escape ".", "%" and "=" inside a key as %2E, %25 and %3D`);
      }
    }
  }

  /** Query tokens one scan takes from the tenant's quota. */
  get scanTokenCost(): number {
    return this.options.tokenCost;
  }

  async answer(
    tenantId: TenantId,
    query: AnalyticsQueryV1,
    plan: RunnablePlan,
    chargeScan: ChargeScan,
  ): Promise<AnalyticsAnswerV1> {
    const windows = queryWindowsOf(query);
    if (plan.kind === 'counters') {
      try {
        return answerOf(query, windows, plan, await this.counters.answer(tenantId, query, windows));
      } catch (error) {
        if (error instanceof QueryTooLargeError) throw badRequest('from', `${error.message}: use a shorter range`);
        if (!(error instanceof NeedsScan)) throw error;
        // A forced path is obeyed or refused, never changed.
        if (query.path === 'counters') {
          throw badRequest(
            'path',
            `the counters cannot answer this question: ${error.message}; ask with path auto or scan`,
          );
        }
        const scan = this.plan({ ...query, path: 'scan' });
        const reason = `the counters declined (${error.message}); ${scan.reason}`;
        return this.scan(tenantId, query, windows, { kind: 'scan', reason }, chargeScan);
      }
    }
    return this.scan(tenantId, query, windows, plan, chargeScan);
  }

  private async scan(
    tenantId: TenantId,
    query: AnalyticsQueryV1,
    windows: QueryWindows,
    plan: RunnablePlan,
    chargeScan: ChargeScan,
  ): Promise<AnalyticsAnswerV1> {
    const full = () =>
      new ScanSlotsFull(
        `too many scans at once: at most ${this.slots.perTenant} per tenant and ${this.slots.perReplica} in all on one replica, and ${this.options.maxConcurrentPerTenantAllReplicas} per tenant on all replicas; retry after the time in Retry-After`,
      );
    const giveBack = this.slots.take(tenantId);
    if (giveBack === undefined) throw full();
    const claimKey = realtimeKeys.scanClaims(tenantId);
    let claim: string | undefined;
    try {
      claim = await this.claims.claim(
        claimKey,
        this.options.maxConcurrentPerTenantAllReplicas,
        this.options.timeLimitMs + CLAIM_MARGIN_MS,
      );
    } finally {
      if (claim === undefined) giveBack();
    }
    if (claim === undefined) throw full();
    try {
      // Charged once the scan may run: a scan refused for want of a slot costs no quota.
      await chargeScan();
      const fold = new EventFold({
        metrics: query.metrics,
        breakdown: query.breakdown,
        filters: query.filters,
        ...(query.events !== undefined && { events: query.events }),
        windows,
      });
      const startMinute = (windows.at(-1) as QueryWindows[number]).startMs / 60_000;
      await this.scans.scan(
        tenantId,
        {
          startMinute,
          endMinute: query.endMinute,
          filters: query.filters,
          ...(query.events && { events: query.events }),
        },
        fold,
        this.options,
      );
      return answerOf(query, windows, plan, fold.answer(query.order, query.limit));
    } catch (error) {
      if (error instanceof ScanBoundError || error instanceof FoldBoundError) {
        throw new HttpException(
          {
            message: `${error.code}: ${error.message}; shorten the window or filter on event`,
            problems: [{ field: 'from', rule: `${error.message}; shorten the window or filter on event` }],
          },
          422,
        );
      }
      throw error;
    } finally {
      giveBack();
      // Best effort: a claim not given back lapses after the scan's time limit.
      await this.claims.release(claimKey, claim).catch(() => undefined);
    }
  }
}

function answerOf(
  query: AnalyticsQueryV1,
  windows: QueryWindows,
  plan: RunnablePlan,
  fold: FoldAnswer,
): AnalyticsAnswerV1 {
  const [main, previous] = windows;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    from: iso(main.startMs),
    to: iso(main.endMs),
    tz: query.tz,
    ...(query.interval !== undefined && { interval: query.interval }),
    rows: fold.rows,
    totals: fold.totals,
    ...(previous !== undefined &&
      fold.comparison !== undefined && {
        comparison: { from: iso(previous.startMs), to: iso(previous.endMs), ...fold.comparison },
      }),
    path: plan.kind,
    reason: plan.reason,
    freshness: { newestEventAt: fold.newestReceivedAtMs === null ? null : iso(fold.newestReceivedAtMs) },
    folded: fold.folded,
    truncated: fold.truncated,
  };
}

const badRequest = (field: string, rule: string) =>
  new BadRequestException({ message: `invalid query: ${field}: ${rule}`, problems: [{ field, rule }] });
