import { DateTime } from 'luxon';
import {
  previousPeriodOf,
  zonedBucketCount,
  zonedBuckets,
  type ZonedBucket,
  type ZonedInterval,
} from './zoned-buckets';

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

  it('starts the date after a skipped midnight at 01:00, and the next date at midnight again', () => {
    // Santiago moves from 00:00 -04:00 to 01:00 -03:00 on 2026-09-06.
    const days = zonedBuckets(
      Date.parse('2026-09-05T12:00:00-04:00'),
      Date.parse('2026-09-07T12:00:00-03:00'),
      'day',
      'America/Santiago',
    );
    expect(days.map((b) => new Date(b.startMs).toISOString())).toEqual([
      '2026-09-05T04:00:00.000Z', // 00:00 -04:00
      '2026-09-06T04:00:00.000Z', // 01:00 -03:00: there was no midnight
      '2026-09-07T03:00:00.000Z', // 00:00 -03:00
    ]);
  });

  it('cuts ISO weeks on Mondays, and a week across the DST change is 167 hours long', () => {
    // Sunday 2026-03-29 is the spring change in Paris; the week holding it starts Monday 23 March.
    const weeks = zonedBuckets(
      Date.parse('2026-03-25T12:00:00+01:00'),
      Date.parse('2026-04-01T12:00:00+02:00'),
      'week',
      'Europe/Paris',
    );
    expect(weeks.map(startAndHours)).toEqual([
      ['2026-03-22T23:00:00.000Z', 167],
      ['2026-03-29T22:00:00.000Z', 168],
    ]);
  });

  it('cuts calendar months in the zone, 23 or 25 hours short or long across DST changes', () => {
    const months = zonedBuckets(
      Date.parse('2026-02-10T00:00:00Z'),
      Date.parse('2026-10-05T00:00:00Z'),
      'month',
      'Europe/Paris',
    );
    expect(months.map(startAndHours)).toEqual([
      ['2026-01-31T23:00:00.000Z', 28 * 24],
      ['2026-02-28T23:00:00.000Z', 31 * 24 - 1],
      ['2026-03-31T22:00:00.000Z', 30 * 24],
      ['2026-04-30T22:00:00.000Z', 31 * 24],
      ['2026-05-31T22:00:00.000Z', 30 * 24],
      ['2026-06-30T22:00:00.000Z', 31 * 24],
      ['2026-07-31T22:00:00.000Z', 31 * 24],
      ['2026-08-31T22:00:00.000Z', 30 * 24],
      ['2026-09-30T22:00:00.000Z', 31 * 24 + 1],
    ]);
  });
});

/** A bucket as its start (ISO) and its length in hours. */
const startAndHours = (bucket: ZonedBucket): [string, number] => [
  new Date(bucket.startMs).toISOString(),
  (bucket.endMs - bucket.startMs) / 3_600_000,
];

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
  const intervals = ['minute', 'hour', 'day', 'week', 'month'] as const;
  const SPAN_MS = {
    minute: 3 * 3_600_000,
    hour: 5 * 86_400_000,
    day: 60 * 86_400_000,
    week: 200 * 86_400_000,
    month: 800 * 86_400_000,
  } as const;
  // Deterministic pseudo-random instants (a linear congruential generator), around DST changes and odd years.
  let seed = 17;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const anchors = ['2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z', '2026-04-05T14:00:00Z', '2011-12-29T00:00:00Z'];

  it('is the number of buckets zonedBuckets gives (minutes, hours, months) or at least it (days, weeks)', () => {
    for (const tz of zones) {
      for (const interval of intervals) {
        for (const anchor of [...anchors, '0000-01-01T00:00:00Z']) {
          for (let i = 0; i < 6; i++) {
            const fromMs = Date.parse(anchor) - Math.floor(random() * SPAN_MS[interval]);
            const toMs = fromMs + 1 + Math.floor(random() * SPAN_MS[interval]);
            const built = zonedBuckets(fromMs, toMs, interval, tz).length;
            const counted = zonedBucketCount(fromMs, toMs, interval, tz);
            const skippedDate = tz === 'Pacific/Apia' && (interval === 'day' || interval === 'week');
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
    expect(zonedBucketCount(toMs - 400 * 86_400_000, toMs, 'week', 'Europe/Paris')).toBe(58);
    expect(zonedBucketCount(toMs - 400 * 86_400_000, toMs, 'month', 'Europe/Paris')).toBe(14);
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
  /**
   * luxon's own arithmetic, one bucket at a time, as zonedBuckets was before it took
   * luxon's first step itself: a step of elapsed time for minutes and hours; for days,
   * weeks and months the start of the next date's day, week or month.
   */
  const byLuxon = (fromMs: number, toMs: number, interval: ZonedInterval, tz: string) => {
    const buckets: { startMs: number; endMs: number }[] = [];
    let start = DateTime.fromMillis(fromMs, { zone: tz }).startOf(interval);
    while (start.toMillis() < toMs) {
      const later = start.plus({ [`${interval}s`]: 1 });
      const next = interval === 'minute' || interval === 'hour' ? later : later.startOf(interval);
      buckets.push({ startMs: start.toMillis(), endMs: next.toMillis() });
      start = next;
    }
    return buckets;
  };
  // DST at 02:00 and at midnight (Havana, Beirut, Santiago, Asunción), southern-hemisphere
  // DST (Sydney), 30-minute DST (Lord Howe), a skipped date (Apia), DST suspended for
  // Ramadan (Casablanca), DST at midnight until 2022 (Tehran), seconds-offset local mean time.
  const zones = [
    'Europe/Paris',
    'America/Havana',
    'Asia/Beirut',
    'America/Santiago',
    'America/Asuncion',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Pacific/Apia',
    'Africa/Casablanca',
    'Asia/Tehran',
    'America/New_York',
    'Asia/Kathmandu',
  ];
  const SPANS: [ZonedInterval, number][] = [
    ['hour', 1_500 * 3_600_000],
    ['day', 800 * 86_400_000],
    ['week', 1_500 * 7 * 86_400_000],
    ['month', 1_500 * 31 * 86_400_000],
  ];

  it.each(zones)('gives luxon’s buckets in %s, across years of DST changes', (tz) => {
    for (const anchor of ['2010-06-01T00:00:00Z', '2024-02-01T13:17:00Z', '1890-01-01T00:00:00Z']) {
      const fromMs = Date.parse(anchor);
      for (const [interval, spanMs] of SPANS) {
        expect({ interval, buckets: zonedBuckets(fromMs, fromMs + spanMs, interval, tz) }).toEqual({
          interval,
          buckets: byLuxon(fromMs, fromMs + spanMs, interval, tz),
        });
      }
    }
  });

  it('starts every week on a Monday and every month on the 1st, at the first instant of that date', () => {
    for (const tz of zones) {
      const fromMs = Date.parse('2015-01-01T00:00:00Z');
      for (const interval of ['week', 'month'] as const) {
        for (const { startMs } of zonedBuckets(fromMs, fromMs + 10 * 365 * 86_400_000, interval, tz)) {
          const start = DateTime.fromMillis(startMs, { zone: tz });
          const at = start.toISO();
          const day = interval === 'week' ? start.weekday : start.day;
          const dateStartMs = start.startOf('day').toMillis();
          expect({ tz, at, day, dateStartMs }).toEqual({ tz, at, day: 1, dateStartMs: startMs });
        }
      }
    }
  });
});

describe('previousPeriodOf', () => {
  const at = (iso: string) => Date.parse(iso);
  const spanOf = (range: ZonedBucket) => [new Date(range.startMs).toISOString(), new Date(range.endMs).toISOString()];

  it('is as many calendar months before a window of whole months in the zone, by month', () => {
    // January and February 2026 in New York, against November and December 2025.
    expect(
      spanOf(previousPeriodOf(at('2026-01-01T05:00:00Z'), at('2026-03-01T05:00:00Z'), 'month', 'America/New_York')),
    ).toEqual(['2025-11-01T04:00:00.000Z', '2026-01-01T05:00:00.000Z']);
    // A month across a year's end, and a leap February before March.
    expect(spanOf(previousPeriodOf(at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), 'month', 'UTC'))).toEqual([
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(spanOf(previousPeriodOf(at('2028-03-01T00:00:00Z'), at('2028-04-01T00:00:00Z'), 'month', 'UTC'))).toEqual([
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
  });

  it('is the window of the same length just before otherwise', () => {
    const march = [at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z')] as const;
    // Whole months in UTC, but not in Paris; whole months, but by day; not whole months.
    for (const [interval, tz, to] of [
      ['month', 'Europe/Paris', march[1]],
      ['day', 'UTC', march[1]],
      [undefined, 'UTC', march[1]],
      ['month', 'UTC', at('2026-03-31T00:00:00Z')],
    ] as const) {
      const previous = previousPeriodOf(march[0], to, interval, tz);
      expect({ interval, tz, previous }).toEqual({
        interval,
        tz,
        previous: { startMs: march[0] - (to - march[0]), endMs: march[0] },
      });
    }
  });
});
