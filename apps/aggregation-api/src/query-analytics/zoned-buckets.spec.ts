import { DateTime } from 'luxon';
import { zonedBucketCount, zonedBuckets } from './zoned-buckets';

describe('zonedBuckets', () => {
  it('starts at the bucket that holds `from` and ends with the one holding the instant before `to`', () => {
    const buckets = zonedBuckets(Date.parse('2026-11-28T10:30:00Z'), Date.parse('2026-11-28T13:00:00Z'), 'hour', 'UTC');
    expect(buckets.map((b) => new Date(b.startMs).toISOString())).toEqual([
      '2026-11-28T10:00:00.000Z',
      '2026-11-28T11:00:00.000Z',
      '2026-11-28T12:00:00.000Z',
    ]);
  });

  it('follows the zone’s wall clock: a day across the DST change is 25 hours long', () => {
    const [day] = zonedBuckets(
      Date.parse('2026-10-25T12:00:00+01:00'),
      Date.parse('2026-10-25T13:00:00+01:00'),
      'day',
      'Europe/Paris',
    );
    expect(new Date(day!.startMs).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect((day!.endMs - day!.startMs) / 3_600_000).toBe(25);
  });

  it('cuts hours at half past in a half-hour zone', () => {
    const [hour] = zonedBuckets(
      Date.parse('2026-11-28T10:10:00Z'),
      Date.parse('2026-11-28T10:20:00Z'),
      'hour',
      'Asia/Kolkata',
    );
    expect(new Date(hour!.startMs).toISOString()).toBe('2026-11-28T09:30:00.000Z');
  });
});

describe('zonedBucketCount', () => {
  // Zones with DST, half- and quarter-hour offsets, a 30-minute DST shift, a skipped date,
  // and local mean time offsets in seconds (year 0 in New York is -04:56:02).
  const zones = [
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Apia',
    'America/Sao_Paulo',
  ];
  const intervals = ['minute', 'hour', 'day'] as const;
  const SPAN_MS = { minute: 3 * 3_600_000, hour: 5 * 86_400_000, day: 60 * 86_400_000 } as const;
  // Deterministic pseudo-random instants (a linear congruential generator), around DST changes and odd years.
  let seed = 17;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const anchors = ['2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z', '2026-04-05T14:00:00Z', '2011-12-29T00:00:00Z'];

  it('is the number of buckets zonedBuckets gives (minutes and hours) or at least it (days)', () => {
    for (const tz of zones) {
      for (const interval of intervals) {
        for (const anchor of [...anchors, '0000-01-01T00:00:00Z']) {
          for (let i = 0; i < 6; i++) {
            const fromMs = Date.parse(anchor) - Math.floor(random() * SPAN_MS[interval]);
            const toMs = fromMs + 1 + Math.floor(random() * SPAN_MS[interval]);
            const built = zonedBuckets(fromMs, toMs, interval, tz).length;
            const counted = zonedBucketCount(fromMs, toMs, interval, tz);
            const skippedDate = tz === 'Pacific/Apia' && interval === 'day';
            expect({ tz, interval, fromMs, toMs, counted }).toEqual({
              tz,
              interval,
              fromMs,
              toMs,
              counted: skippedDate ? expect.any(Number) : built,
            });
            expect(counted).toBeGreaterThanOrEqual(built);
            expect(counted).toBeLessThanOrEqual(built + 1);
          }
        }
      }
    }
  });

  it('counts a 400-day minute series in a DST zone without building it', () => {
    const toMs = Date.parse('2026-11-28T00:00:00Z');
    expect(zonedBucketCount(toMs - 400 * 86_400_000, toMs, 'minute', 'Europe/Paris')).toBe(576_000);
    expect(zonedBucketCount(toMs - 400 * 86_400_000, toMs, 'day', 'Europe/Paris')).toBe(401);
  });

  it('counts the 23- and 25-hour days of DST changes once each', () => {
    const fromMs = Date.parse('2026-03-28T12:00:00+01:00');
    const toMs = Date.parse('2026-10-26T12:00:00+01:00');
    expect(zonedBucketCount(fromMs, toMs, 'day', 'Europe/Paris')).toBe(
      zonedBuckets(fromMs, toMs, 'day', 'Europe/Paris').length,
    );
  });
});

describe('zonedBuckets against luxon, bucket by bucket', () => {
  /** What zonedBuckets was before it took luxon's first step itself: luxon's own arithmetic, one bucket at a time. */
  const byLuxon = (fromMs: number, toMs: number, interval: 'minute' | 'hour' | 'day', tz: string) => {
    const buckets: { startMs: number; endMs: number }[] = [];
    let start = DateTime.fromMillis(fromMs, { zone: tz }).startOf(interval);
    while (start.toMillis() < toMs) {
      const next = start.plus({ [`${interval}s`]: 1 });
      buckets.push({ startMs: start.toMillis(), endMs: next.toMillis() });
      start = next;
    }
    return buckets;
  };
  // DST at 02:00 and at midnight (Havana, Beirut, Santiago), 30-minute DST (Lord Howe), a
  // skipped date (Apia), DST suspended for Ramadan (Casablanca), seconds-offset local mean time.
  const zones = [
    'Europe/Paris',
    'America/Havana',
    'Asia/Beirut',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Pacific/Apia',
    'Africa/Casablanca',
    'America/New_York',
    'Asia/Kathmandu',
  ];

  it.each(zones)('gives luxon’s buckets in %s, across years of DST changes', (tz) => {
    for (const anchor of ['2010-06-01T00:00:00Z', '2024-02-01T13:17:00Z', '1890-01-01T00:00:00Z']) {
      const fromMs = Date.parse(anchor);
      expect(zonedBuckets(fromMs, fromMs + 800 * 86_400_000, 'day', tz)).toEqual(
        byLuxon(fromMs, fromMs + 800 * 86_400_000, 'day', tz),
      );
      expect(zonedBuckets(fromMs, fromMs + 1_500 * 3_600_000, 'hour', tz)).toEqual(
        byLuxon(fromMs, fromMs + 1_500 * 3_600_000, 'hour', tz),
      );
    }
  });
});
