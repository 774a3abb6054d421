import type { BucketInterval } from '@tally/analytics-store';

/** A bucket that has a rollup: one UTC minute, hour or day. */
export interface RollupUnit {
  readonly interval: BucketInterval;
  readonly bucket: number;
}

const MINUTES_IN = { minute: 1, hour: 60, day: 1_440 } as const;

/** The minutes [start, end) a unit covers. */
export const minutesOf = (unit: RollupUnit): readonly [number, number] => {
  const size = MINUTES_IN[unit.interval];
  return [unit.bucket * size, (unit.bucket + 1) * size];
};

/**
 * Covers the minutes [start, end) with the fewest aligned units: whole days where they
 * fit, whole hours where they fit, minutes at the edges. Every minute is covered once.
 */
export function tileMinutes(start: number, end: number): RollupUnit[] {
  const units: RollupUnit[] = [];
  let at = start;
  while (at < end) {
    if (at % MINUTES_IN.day === 0 && at + MINUTES_IN.day <= end) {
      units.push({ interval: 'day', bucket: at / MINUTES_IN.day });
      at += MINUTES_IN.day;
    } else if (at % MINUTES_IN.hour === 0 && at + MINUTES_IN.hour <= end) {
      units.push({ interval: 'hour', bucket: at / MINUTES_IN.hour });
      at += MINUTES_IN.hour;
    } else {
      units.push({ interval: 'minute', bucket: at });
      at += 1;
    }
  }
  return units;
}

/** A day as its 24 hours, an hour as its 60 minutes. */
export function splitUnit(unit: RollupUnit): RollupUnit[] {
  if (unit.interval === 'minute') return [unit];
  const child: BucketInterval = unit.interval === 'day' ? 'hour' : 'minute';
  const count = unit.interval === 'day' ? 24 : 60;
  return Array.from({ length: count }, (_, i) => ({ interval: child, bucket: unit.bucket * count + i }));
}
