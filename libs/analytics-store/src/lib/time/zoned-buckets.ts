import { DateTime, type Zone } from 'luxon';

/**
 * The intervals a zoned series is cut into. Spelled here, not taken from a query contract:
 * the buckets are the store's arithmetic, which every contract that asks for them uses.
 */
export type ZonedInterval = 'minute' | 'hour' | 'day' | 'week' | 'month';

/** A time-series bucket as an instant range [startMs, endMs). */
export interface ZonedBucket {
  readonly startMs: number;
  readonly endMs: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Minute and hour buckets are steps of elapsed time (luxon's time math), whatever the zone. */
const STEP_MS = { minute: 60_000, hour: 3_600_000 } as const;

type CalendarInterval = 'day' | 'week' | 'month';

const isCalendar = (interval: ZonedInterval): interval is CalendarInterval =>
  interval === 'day' || interval === 'week' || interval === 'month';

/** luxon's weeks are ISO weeks (Monday first) unless asked for the locale's: this relies on that. */
const firstBucketStart = (fromMs: number, interval: ZonedInterval, tz: string): DateTime =>
  DateTime.fromMillis(fromMs, { zone: tz }).startOf(interval);

/**
 * The buckets of `interval` in time zone `tz` that cover [fromMs, toMs): the first is
 * the one `from` falls in, the last the one holding the instant just before `to`. Days,
 * ISO weeks (from Monday) and calendar months follow the zone's wall clock: each starts
 * at the first instant of its date there, so a day around a DST change is 23 or 25 hours
 * long, and where a zone skips midnight (Santiago, Havana, Beirut) that date starts at
 * 01:00 and the next one at midnight again. An hour or a minute is a step of elapsed
 * time from the first bucket's start. Check `zonedBucketCount` against the limit before
 * calling this.
 */
export function zonedBuckets(fromMs: number, toMs: number, interval: ZonedInterval, tz: string): ZonedBucket[] {
  const first = firstBucketStart(fromMs, interval, tz);
  if (isCalendar(interval)) return calendarBuckets(first, toMs, interval);
  const buckets: ZonedBucket[] = [];
  const step = STEP_MS[interval];
  for (let startMs = first.toMillis(); startMs < toMs; startMs += step) {
    buckets.push({ startMs, endMs: startMs + step });
  }
  return buckets;
}

/**
 * The period a window is compared with (`compare: previous_period`, 0009 section 5): in a
 * series by month over a window of whole calendar months in `tz`, the same number of
 * calendar months just before it, so March is compared with February and a quarter with
 * the quarter before; otherwise the window of the same length just before it. Without
 * the month rule, March would be compared with the 31 days from 29 January, two
 * clipped buckets against one whole one.
 */
export function previousPeriodOf(
  fromMs: number,
  toMs: number,
  interval: ZonedInterval | undefined,
  tz: string,
): ZonedBucket {
  if (interval === 'month' && fromMs < toMs) {
    const from = firstBucketStart(fromMs, 'month', tz);
    const to = firstBucketStart(toMs, 'month', tz);
    if (from.toMillis() === fromMs && to.toMillis() === toMs) {
      const months = (to.year - from.year) * 12 + (to.month - from.month);
      return { startMs: from.minus({ months }).startOf('month').toMillis(), endMs: fromMs };
    }
  }
  return { startMs: fromMs - (toMs - fromMs), endMs: fromMs };
}

/**
 * A zone's offset at an instant, remembered: luxon asks `Intl` (about 10 µs), and every
 * day series in a zone asks about the same local midnights. Bounded; cleared when full.
 */
const knownOffsets = new Map<string, number>();
const MAX_KNOWN_OFFSETS = 100_000;

function offsetAt(zone: Zone, ms: number): number {
  const key = `${zone.name}|${ms}`;
  let offset = knownOffsets.get(key);
  if (offset === undefined) {
    if (knownOffsets.size >= MAX_KNOWN_OFFSETS) knownOffsets.clear();
    offset = zone.offset(ms);
    knownOffsets.set(key, offset);
  }
  return offset;
}

/**
 * How long, on the wall clock, the day, week or month starting at local midnight
 * `wallClockMs` (that wall-clock time read as UTC) is.
 */
function wallClockLengthMs(wallClockMs: number, interval: CalendarInterval): number {
  if (interval === 'day') return DAY_MS;
  if (interval === 'week') return WEEK_MS;
  const date = new Date(wallClockMs);
  return daysInMonth(date.getUTCFullYear(), date.getUTCMonth()) * DAY_MS;
}

/** Of the proleptic Gregorian calendar, as luxon's. Not `Date.UTC`, which reads years 0–99 as 1900–1999. */
function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] as number;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Each bucket starts where luxon says the next date's starts:
 * `start.plus({ [interval]: 1 }).startOf(interval)`. From a bucket that starts at local
 * midnight, luxon does that by taking the next midnight at the last bucket's offset, and
 * keeps it if the zone has that offset there; only across an offset change (or from a
 * date that began after a skipped midnight) does it work the instant out again. This
 * takes the same first step with one remembered offset lookup and leaves the rest to
 * luxon: the same buckets at well under a microsecond a day once the zone's midnights are
 * known, instead of tens (a 400-day series took 14 ms of the one event loop every
 * tenant's queries wait behind).
 *
 * The `startOf` matters: luxon's `plus` alone keeps the time of day, so after a skipped
 * midnight every later day would start at 01:00, and a night's events would be counted
 * on the previous date.
 */
function calendarBuckets(first: DateTime, toMs: number, interval: CalendarInterval): ZonedBucket[] {
  const buckets: ZonedBucket[] = [];
  const zone = first.zone;
  let startMs = first.toMillis();
  let offset = first.offset;
  while (startMs < toMs) {
    const wallClockMs = startMs + offset * 60_000;
    if (wallClockMs % DAY_MS === 0) {
      const nextMs = startMs + wallClockLengthMs(wallClockMs, interval);
      if (offsetAt(zone, nextMs) === offset) {
        buckets.push({ startMs, endMs: nextMs });
        startMs = nextMs;
        continue;
      }
    }
    const next = DateTime.fromMillis(startMs, { zone })
      .plus({ [interval]: 1 })
      .startOf(interval);
    buckets.push({ startMs, endMs: next.toMillis() });
    startMs = next.toMillis();
    offset = next.offset;
  }
  return buckets;
}

/**
 * How many buckets `zonedBuckets` gives for the same arguments, worked out with two or
 * three date conversions whatever the range: exact for minutes, hours and months; for
 * days and weeks the number of calendar dates (or Mondays) from `from`'s to that of the
 * instant before `to` — exact unless the zone skipped a date in between (Pacific/Apia on
 * 2011-12-30), where it is one more than the series. Without it a 400-day minute series in
 * a DST zone built 576,000 buckets (over 20 s of one event loop) only to be refused.
 */
export function zonedBucketCount(fromMs: number, toMs: number, interval: ZonedInterval, tz: string): number {
  const first = firstBucketStart(fromMs, interval, tz);
  if (toMs <= first.toMillis()) return 0;
  if (!isCalendar(interval)) return Math.ceil((toMs - first.toMillis()) / STEP_MS[interval]);
  const last = firstBucketStart(toMs - 1, interval, tz);
  if (interval === 'month') return (last.year - first.year) * 12 + (last.month - first.month) + 1;
  const wallClockDay = (at: DateTime): number => at.setZone('UTC', { keepLocalTime: true }).startOf('day').toMillis();
  const days = Math.round((wallClockDay(last) - wallClockDay(first)) / DAY_MS);
  return Math.round(days / (interval === 'week' ? 7 : 1)) + 1;
}
