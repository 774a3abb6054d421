import { minutesOf, splitUnit, tileMinutes } from './rollup-units';

describe('tileMinutes', () => {
  const covered = (start: number, end: number) =>
    tileMinutes(start, end).flatMap((u) => {
      const [a, b] = minutesOf(u);
      return Array.from({ length: b - a }, (_, i) => a + i);
    });

  it('covers every minute exactly once with the fewest aligned units', () => {
    const start = 1_440 * 10 - 7; // 7 minutes before a day starts
    const end = 1_440 * 12 + 61; // a day and an hour and a minute after the next day
    expect(covered(start, end)).toEqual(Array.from({ length: end - start }, (_, i) => start + i));
    const units = tileMinutes(start, end);
    expect(units.filter((u) => u.interval === 'day')).toEqual([
      { interval: 'day', bucket: 10 },
      { interval: 'day', bucket: 11 },
    ]);
    expect(units.filter((u) => u.interval === 'hour')).toEqual([{ interval: 'hour', bucket: 12 * 24 }]);
    expect(units.filter((u) => u.interval === 'minute')).toHaveLength(7 + 1);
  });

  it('gives nothing for an empty range', () => {
    expect(tileMinutes(100, 100)).toEqual([]);
  });
});

describe('splitUnit', () => {
  it('splits a day into its hours and an hour into its minutes', () => {
    expect(splitUnit({ interval: 'day', bucket: 2 })).toHaveLength(24);
    expect(splitUnit({ interval: 'day', bucket: 2 })[0]).toEqual({ interval: 'hour', bucket: 48 });
    expect(splitUnit({ interval: 'hour', bucket: 3 }).at(-1)).toEqual({ interval: 'minute', bucket: 239 });
  });
});
