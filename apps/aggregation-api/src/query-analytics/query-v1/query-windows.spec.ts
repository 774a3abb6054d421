import { analyticsQueryV1Schema, type AnalyticsQueryV1 } from '@tally/contracts';
import { bucketCountOf, queryWindowsOf } from './query-windows';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const question = (body: Record<string, unknown>): AnalyticsQueryV1 => analyticsQueryV1Schema(() => NOW).parse(body);
const iso = (ms: number) => new Date(ms).toISOString();
const spanOf = (window: { startMs: number; endMs: number }) => [iso(window.startMs), iso(window.endMs)];

/** The previous period's window, which a question with `compare` always has. */
function previousOf(query: AnalyticsQueryV1) {
  const [, previous] = queryWindowsOf(query);
  if (previous === undefined) throw new Error('no previous period');
  return previous;
}

describe('queryWindowsOf', () => {
  it('compares March by month in Paris with February there, as one whole bucket', () => {
    const query = question({
      from: '2026-03-01T00:00:00+01:00',
      to: '2026-04-01T00:00:00+02:00',
      tz: 'Europe/Paris',
      interval: 'month',
      compare: 'previous_period',
    });
    const [main] = queryWindowsOf(query);
    const previous = previousOf(query);
    expect(spanOf(main)).toEqual(['2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z']);
    expect(spanOf(previous)).toEqual(['2026-01-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z']);
    expect(previous.buckets?.map(spanOf)).toEqual([['2026-01-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z']]);
  });

  it('compares a quarter by month with the three calendar months before it', () => {
    const query = question({
      from: '2026-04-01T00:00:00Z',
      to: '2026-07-01T00:00:00Z',
      interval: 'month',
      compare: 'previous_period',
    });
    expect(previousOf(query).buckets?.map((b) => iso(b.startMs))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(bucketCountOf(query)).toBe(3);
  });

  it('compares a window that is not whole months, or not by month, with the same length just before', () => {
    const partMonth = question({
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-15T00:00:00Z',
      interval: 'month',
      compare: 'previous_period',
    });
    expect(spanOf(previousOf(partMonth))).toEqual(['2026-02-15T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    const byDay = question({
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-01T00:00:00Z',
      interval: 'day',
      compare: 'previous_period',
    });
    expect(spanOf(previousOf(byDay))).toEqual(['2026-01-29T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });
});
