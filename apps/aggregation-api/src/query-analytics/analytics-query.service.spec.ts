import { BadRequestException } from '@nestjs/common';
import { zonedBuckets } from '@tally/analytics-store';
import { analyticsQuerySchemas } from '@tally/contracts';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { AnalyticsQueryService } from './analytics-query.service';
import type { CountsReader, RangeCounts } from './counts.reader';
import type { UniquesReader } from './uniques.reader';

// The library's index re-exports through getters, which jest cannot spy on: the service
// gets a recording stand-in that still builds the buckets.
jest.mock('@tally/analytics-store', () => {
  const actual = jest.requireActual<typeof import('@tally/analytics-store')>('@tally/analytics-store');
  return { ...actual, zonedBuckets: jest.fn(actual.zonedBuckets) };
});

const tenantId = parseTenantId('t_abcdefghijklmnopqrst') as TenantId;
const { timeseries } = analyticsQuerySchemas(() => Date.parse('2026-11-28T00:00:00Z'));

/** Counts nothing, and remembers how many ranges it was asked for. */
class EmptyCounts {
  readonly asked: number[] = [];
  count(_tenantId: TenantId, ranges: readonly (readonly [number, number])[]): Promise<RangeCounts[]> {
    this.asked.push(ranges.length);
    return Promise.resolve(ranges.map(() => ({ total: 0, byName: new Map() })));
  }
}

describe('AnalyticsQueryService.timeseries', () => {
  const counts = new EmptyCounts();
  const service = new AnalyticsQueryService(counts as unknown as CountsReader, {} as UniquesReader);
  afterEach(() => jest.restoreAllMocks());

  it('refuses a 400-day minute series in a DST zone by its bucket count, before building a bucket', async () => {
    const build = jest.mocked(zonedBuckets);
    build.mockClear();
    const query = timeseries.parse({
      from: '2025-10-24T00:00:00Z',
      to: '2026-11-28T00:00:00Z',
      interval: 'minute',
      tz: 'Europe/Paris',
    });
    expect(() => service.checkTimeseries(query)).toThrow(BadRequestException);
    await expect(service.timeseries(tenantId, query)).rejects.toMatchObject({
      response: {
        message:
          'invalid query: interval: too many buckets: 576,000 minute buckets, at most 1,500; use a coarser interval or a shorter range',
        problems: [{ field: 'interval', rule: expect.stringContaining('576,000 minute buckets') }],
      },
    });
    expect(build).not.toHaveBeenCalled();
    expect(counts.asked).toEqual([]);
  });

  it('answers a series of exactly the most buckets allowed, zero-filled', async () => {
    const query = timeseries.parse({ from: '2026-11-27T00:00:00Z', to: '2026-11-28T01:00:00Z', interval: 'minute' });
    const answer = await service.timeseries(tenantId, query);
    expect(answer.buckets).toHaveLength(1_500);
    expect(counts.asked).toEqual([1_500]);
  });
});
