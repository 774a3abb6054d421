import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { realtimeKeys, type FoldAnswer, type FoldRow, type FoldWindow } from '@tally/analytics-store';
import type { AnalyticsQueryV1 } from '@tally/contracts';
import { REDIS_CLIENT } from '@tally/redis';
import type { TenantId } from '@tally/tenant-scope';
import { CountsReader, type RangeCounts } from '../counts.reader';
import { UniquesReader } from '../uniques.reader';
import { minuteRangesOf, type QueryWindows } from './query-windows';

/** The counters could not answer after all: the service scans instead, within the scan's bounds. */
export class NeedsScan extends Error {}

/**
 * Unique-user reads one answer may make: each is a union of HyperLogLogs over a range,
 * one per (event name, bucket). More goes to the scan, which counts users as it reads.
 */
const MAX_UNIQUES_READS = 100;

type Metric = 'events' | 'uniques';

/**
 * Answers from today's real-time counters and rollups the questions they hold (the
 * planner's counter rule): events and uniques by event name, filtered on `event`, with
 * buckets and the previous period. Rows, totals, order and ties are those of the scan's
 * fold, so both paths give the same answer to the same question.
 */
@Injectable()
export class NameCounterAnswers {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly counts: CountsReader,
    private readonly uniques: UniquesReader,
  ) {}

  async answer(tenantId: TenantId, query: AnalyticsQueryV1, windows: QueryWindows): Promise<FoldAnswer> {
    const metrics = query.metrics as Metric[];
    const byEvent = query.breakdown.includes('event');
    const wanted = namesAsked(query);
    // Read first: the counters then hold at least every event up to this one.
    const newest = await this.redis.get(realtimeKeys.newestReceived(tenantId));
    const counted = await Promise.all(windows.map((w) => this.countWindow(tenantId, w, wanted)));
    const main = counted[0] as WindowCounts;
    // Names with events in the question's own window, as the fold lists combinations.
    const names = byEvent
      ? [...main.total.byName]
          .filter(([name, n]) => n > 0 && (wanted === undefined || wanted.has(name)))
          .map(([name]) => name)
      : [];
    // No name left (events and the event filters exclude each other): nothing to read, all zeros.
    const withUniques =
      metrics.includes('uniques') && wanted?.size !== 0
        ? await this.uniquesOf(tenantId, windows, byEvent ? names : [], wanted)
        : undefined;
    const metricsOf = (w: number, bucket: number | 'total', name?: string): Record<string, number | null> => {
      const source = counted[w] as WindowCounts;
      const range = bucket === 'total' ? source.total : (source.buckets[bucket] as RangeCounts);
      const events = name === undefined ? sumOf(range, wanted) : (range.byName.get(name) ?? 0);
      const out: Record<string, number | null> = {};
      for (const metric of metrics) {
        out[metric] = metric === 'events' ? events : (withUniques?.get(uniquesKey(w, bucket, name)) ?? 0);
      }
      return out;
    };
    const order = query.order;
    const combos: (string | undefined)[] = byEvent ? names : [undefined];
    if (byEvent) {
      const key = (name: string): number | string =>
        order.by === 'event' ? name : (metricsOf(0, 'total', name)[order.by] as number);
      const direction = order.descending ? -1 : 1;
      combos.sort((a, b) => {
        const ka = key(a as string);
        const kb = key(b as string);
        return ka === kb ? ((a as string) < (b as string) ? -1 : 1) : (ka < kb ? -1 : 1) * direction;
      });
    }
    const shown = combos.slice(0, query.limit);
    const rowsOf = (w: number): FoldRow[] =>
      shown.flatMap((name) => {
        const dimensions: Record<string, string | null> = name === undefined ? {} : { event: name };
        const window = windows[w] as FoldWindow;
        if (window.buckets === undefined) return [{ dimensions, metrics: metricsOf(w, 'total', name) }];
        return window.buckets.map((b, i) => ({
          dimensions: { time: new Date(b.startMs).toISOString(), ...dimensions },
          metrics: metricsOf(w, i, name),
        }));
      });
    return {
      rows: rowsOf(0),
      totals: metricsOf(0, 'total'),
      ...(windows.length > 1 && { comparison: { rows: rowsOf(1), totals: metricsOf(1, 'total') } }),
      folded: [],
      truncated: combos.length > shown.length,
      newestReceivedAtMs: newest === null ? null : Number(newest),
      measuresOutOfRange: 0,
    };
  }

  /** Counts of each bucket of a window and of the whole window, in one read. */
  private async countWindow(
    tenantId: TenantId,
    window: FoldWindow,
    wanted: ReadonlySet<string> | undefined,
  ): Promise<WindowCounts> {
    const ranges = minuteRangesOf(window);
    const whole = [window.startMs / 60_000, window.endMs / 60_000] as const;
    const only = wanted?.size === 1 ? [...wanted][0] : undefined;
    const counted = await this.counts.count(tenantId, [...ranges, whole], only);
    return { buckets: counted.slice(0, ranges.length), total: counted[ranges.length] as RangeCounts };
  }

  /**
   * Unique users by (window, bucket or total, name): a union of the counters' sketches
   * each. Only a single name, or all of them, has a sketch; so a total over a few names of
   * many is not counted here, and neither is an answer that would take too many reads.
   */
  private async uniquesOf(
    tenantId: TenantId,
    windows: QueryWindows,
    names: readonly string[],
    wanted: ReadonlySet<string> | undefined,
  ): Promise<Map<string, number>> {
    if (wanted !== undefined && wanted.size > 1) throw new NeedsScan('uniques over several named events');
    const totalName = wanted === undefined ? undefined : [...wanted][0];
    const reads: [string, number, number, string | undefined][] = [];
    windows.forEach((window, w) => {
      const ranges = minuteRangesOf(window);
      const whole = [window.startMs / 60_000, window.endMs / 60_000] as const;
      // The totals row is every name the question counts: all of them, or its one name.
      reads.push([uniquesKey(w, 'total', undefined), whole[0], whole[1], totalName]);
      if (window.buckets !== undefined && names.length === 0) {
        ranges.forEach(([s, e], i) => reads.push([uniquesKey(w, i, undefined), s, e, totalName]));
      }
      for (const name of names) {
        reads.push([uniquesKey(w, 'total', name), whole[0], whole[1], name]);
        if (window.buckets !== undefined)
          ranges.forEach(([s, e], i) => reads.push([uniquesKey(w, i, name), s, e, name]));
      }
    });
    if (reads.length > MAX_UNIQUES_READS) throw new NeedsScan('uniques of too many events and buckets');
    const values = await Promise.all(reads.map(([, s, e, name]) => this.uniques.count(tenantId, s, e, name)));
    return new Map(reads.map(([key], i) => [key, values[i] as number]));
  }
}

interface WindowCounts {
  readonly buckets: readonly RangeCounts[];
  readonly total: RangeCounts;
}

const uniquesKey = (w: number, bucket: number | 'total', name: string | undefined): string =>
  `${w}|${bucket}|${name ?? ''}`;

/** Events of the names asked about: all, or the ones `events` and the `event` filters leave. */
function sumOf(range: RangeCounts, wanted: ReadonlySet<string> | undefined): number {
  if (wanted === undefined) return range.total;
  let sum = 0;
  for (const name of wanted) sum += range.byName.get(name) ?? 0;
  return sum;
}

/** The names the question is limited to (`events`, `eq`/`in` filters on `event`, intersected), or all. */
function namesAsked(query: AnalyticsQueryV1): ReadonlySet<string> | undefined {
  let names: Set<string> | undefined = query.events === undefined ? undefined : new Set(query.events);
  for (const filter of query.filters) {
    if (filter.field !== 'event') continue;
    const values = (filter.op === 'eq' ? [filter.value] : (filter.value as readonly unknown[])).map(String);
    names = new Set(values.filter((v) => names === undefined || names.has(v)));
  }
  return names;
}
