import { zonedBuckets } from './zoned-buckets';

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
