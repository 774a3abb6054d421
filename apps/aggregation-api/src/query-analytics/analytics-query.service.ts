import { BadRequestException, Injectable } from '@nestjs/common';
import { zonedBucketCount, zonedBuckets } from '@tally/analytics-store';
import {
  QUERY_LIMITS,
  type SummaryAnswer,
  type SummaryQuery,
  type TimeseriesAnswer,
  type TimeseriesQuery,
  type TopEventsAnswer,
  type TopEventsQuery,
  type UniquesAnswer,
  type UniquesQuery,
} from '@tally/contracts';
import type { TenantId } from '@tally/tenant-scope';
import { CountsReader, QueryTooLargeError, type RangeCounts } from './counts.reader';
import { UniquesReader } from './uniques.reader';

const MINUTE_MS = 60_000;
const EMPTY: RangeCounts = { total: 0, byName: new Map() };

/** A query window as whole minutes [start, end): the resolution of every answer. */
export interface MinuteWindow {
  readonly start: number;
  readonly end: number;
}

export const minuteWindowOf = (from: Date, to: Date): MinuteWindow => ({
  start: Math.floor(from.getTime() / MINUTE_MS),
  end: Math.ceil(to.getTime() / MINUTE_MS),
});

const iso = (minute: number): string => new Date(minute * MINUTE_MS).toISOString();

/** The answers of aggregation-api's query routes, for one tenant at a time. */
@Injectable()
export class AnalyticsQueryService {
  constructor(
    private readonly counts: CountsReader,
    private readonly uniques: UniquesReader,
  ) {}

  async summary(tenantId: TenantId, query: SummaryQuery): Promise<SummaryAnswer> {
    const { start, end } = minuteWindowOf(query.from, query.to);
    const [counts, uniqueUsers] = await Promise.all([
      this.countRange(tenantId, start, end),
      this.uniques.count(tenantId, start, end),
    ]);
    return {
      from: iso(start),
      to: iso(end),
      totalEvents: counts.total,
      uniqueUsers,
      countsByEvent: Object.fromEntries(byCountDescending(counts).map((e) => [e.name, e.count])),
    };
  }

  /**
   * Refuses (400, naming `interval`) a series with more than `QUERY_LIMITS.maxBuckets`
   * buckets, from their count alone: called before the cache, the concurrency slot or
   * any bucket is built, so a refused series costs a few date conversions.
   */
  checkTimeseries(query: TimeseriesQuery): void {
    const count = zonedBucketCount(query.from.getTime(), query.to.getTime(), query.interval, query.tz);
    if (count <= QUERY_LIMITS.maxBuckets) return;
    const rule = `too many buckets: ${count.toLocaleString('en-US')} ${query.interval} buckets, at most ${QUERY_LIMITS.maxBuckets.toLocaleString('en-US')}; use a coarser interval or a shorter range`;
    throw new BadRequestException({
      message: `invalid query: interval: ${rule}`,
      problems: [{ field: 'interval', rule }],
    });
  }

  async timeseries(tenantId: TenantId, query: TimeseriesQuery): Promise<TimeseriesAnswer> {
    this.checkTimeseries(query); // again, so the service is safe without its controller
    const buckets = zonedBuckets(query.from.getTime(), query.to.getTime(), query.interval, query.tz);
    const ranges = buckets.map((b) => [Math.floor(b.startMs / MINUTE_MS), Math.ceil(b.endMs / MINUTE_MS)] as const);
    const counted = await this.countRanges(tenantId, ranges, query.event);
    const series = buckets.map((b, i) => {
      const counts = counted[i] ?? EMPTY;
      const count = query.event === undefined ? counts.total : (counts.byName.get(query.event) ?? 0);
      return { start: new Date(b.startMs).toISOString(), count };
    });
    return {
      from: new Date(buckets[0]?.startMs ?? query.from.getTime()).toISOString(),
      to: new Date(buckets.at(-1)?.endMs ?? query.to.getTime()).toISOString(),
      event: query.event ?? null,
      interval: query.interval,
      tz: query.tz,
      total: series.reduce((sum, b) => sum + b.count, 0),
      buckets: series,
    };
  }

  async topEvents(tenantId: TenantId, query: TopEventsQuery): Promise<TopEventsAnswer> {
    const { start, end } = minuteWindowOf(query.from, query.to);
    const counts = await this.countRange(tenantId, start, end);
    return { from: iso(start), to: iso(end), events: byCountDescending(counts).slice(0, query.limit) };
  }

  async uniqueUsers(tenantId: TenantId, query: UniquesQuery): Promise<UniquesAnswer> {
    const { start, end } = minuteWindowOf(query.from, query.to);
    return {
      from: iso(start),
      to: iso(end),
      event: query.event ?? null,
      uniques: await this.uniques.count(tenantId, start, end, query.event),
    };
  }

  private async countRange(tenantId: TenantId, start: number, end: number): Promise<RangeCounts> {
    return (await this.countRanges(tenantId, [[start, end]]))[0] ?? EMPTY;
  }

  private async countRanges(
    tenantId: TenantId,
    ranges: readonly (readonly [number, number])[],
    onlyName?: string,
  ): Promise<RangeCounts[]> {
    try {
      return await this.counts.count(tenantId, ranges, onlyName);
    } catch (error) {
      if (error instanceof QueryTooLargeError) {
        throw new BadRequestException(
          `${error.message}: use a shorter range, a coarser interval or a whole-hour time zone`,
        );
      }
      throw error;
    }
  }
}

/** Most counted first; ties by name, so answers are stable. */
function byCountDescending(counts: RangeCounts): { name: string; count: number }[] {
  return [...counts.byName]
    .map(([name, count]) => ({ name, count }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
