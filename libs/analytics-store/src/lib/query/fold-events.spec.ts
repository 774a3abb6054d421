import { DateTime } from 'luxon';
import { zonedBuckets, type ZonedBucket, type ZonedInterval } from '../time/zoned-buckets';
import type { FieldFilter } from './field-predicate';
import {
  EventFold,
  FoldBoundError,
  type EventFoldOptions,
  type FoldAnswer,
  type FoldOrder,
  type FoldRow,
} from './fold-events';
import type { FoldableEvent } from './foldable-event';
import { foldableEvent } from './foldable-events.fixture';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A fold over one window, and its answer. */
function foldOf(
  events: readonly FoldableEvent[],
  options: Partial<EventFoldOptions> & Pick<EventFoldOptions, 'windows'>,
) {
  const fold = new EventFold({ metrics: ['events'], breakdown: [], filters: [], ...options });
  fold.add(events);
  return fold;
}

const ALL_TIME = { startMs: Date.parse('2000-01-01T00:00:00Z'), endMs: Date.parse('2100-01-01T00:00:00Z') };
const byEvents: FoldOrder = { by: 'events', descending: true };

/** Rows as `[dimension values…, metric values…]`, for tables that read as the answer does. */
const table = (rows: readonly FoldRow[]) =>
  rows.map((row) => [...Object.values(row.dimensions), ...Object.values(row.metrics)]);

describe('EventFold', () => {
  describe('metrics', () => {
    const events = [
      foldableEvent({ userKey: 'u:1', properties: { plan: 'pro', revenue: 10.5 } }),
      foldableEvent({ userKey: 'u:1', properties: { plan: 'pro', revenue: 0.1 } }),
      foldableEvent({ userKey: 'u:2', properties: { plan: 'pro', revenue: '99' } }),
      foldableEvent({ userKey: 'u:2', properties: { plan: 'free' } }),
      foldableEvent({ userKey: 'u:3', properties: { revenue: -2 } }),
    ];
    const metrics = [
      'events',
      'uniques',
      'sum:properties.revenue',
      'avg:properties.revenue',
      'min:properties.revenue',
      'max:properties.revenue',
    ];

    it('counts events, distinct users and measures per combination; a string is no measure; (none) is null', () => {
      const answer = foldOf(events, { metrics, breakdown: ['properties.plan'], windows: [ALL_TIME] }).answer(
        byEvents,
        10,
      );
      expect(table(answer.rows)).toEqual([
        ['pro', 3, 2, 10.6, 5.3, 0.1, 10.5],
        ['free', 1, 1, 0, null, null, null],
        [null, 1, 1, -2, -2, -2, -2],
      ]);
      expect(answer.totals).toEqual({
        events: 5,
        uniques: 3, // a union: u:2 is in two rows
        'sum:properties.revenue': 8.6,
        'avg:properties.revenue': 8.6 / 3,
        'min:properties.revenue': -2,
        'max:properties.revenue': 10.5,
      });
    });

    it('sums in exact micro-units: ten times 0.1 is 1, and sums past 2^53 micro-units stay exact', () => {
      const tenths = Array.from({ length: 10 }, () => foldableEvent({ properties: { revenue: 0.1 } }));
      const large = Array.from({ length: 20 }, () => foldableEvent({ properties: { revenue: 999_999_999.999_999 } }));
      const sum = (events: FoldableEvent[]) =>
        foldOf(events, { metrics: ['sum:properties.revenue'], windows: [ALL_TIME] }).answer(
          { by: 'sum:properties.revenue', descending: true },
          1,
        ).totals;
      expect(sum(tenths)).toEqual({ 'sum:properties.revenue': 1 });
      // 20 × 999,999,999,999,999 micro-units = 19,999,999,999,999,980 > 2^53: a double sum would round.
      expect(sum(large)).toEqual({ 'sum:properties.revenue': Number(19_999_999_999_999_980n) / 1e6 });
    });

    it('leaves a measure past 10^9 out of every aggregate, and counts it', () => {
      const answer = foldOf(
        [
          foldableEvent({ properties: { revenue: 2e9 } }),
          foldableEvent({ properties: { revenue: -1e9 } }),
          foldableEvent({ properties: { revenue: 1e9 + 1 } }),
        ],
        { metrics: ['events', 'sum:properties.revenue', 'max:properties.revenue'], windows: [ALL_TIME] },
      ).answer(byEvents, 1);
      expect(answer.totals).toEqual({ events: 3, 'sum:properties.revenue': -1e9, 'max:properties.revenue': -1e9 });
      expect(answer.measuresOutOfRange).toBe(2);
    });

    it('answers zeros and nulls when nothing matched, with the one row of a question without breakdown', () => {
      const answer = foldOf([], { metrics, windows: [ALL_TIME] }).answer(byEvents, 10);
      const zero = { events: 0, uniques: 0, 'sum:properties.revenue': 0 };
      const empty = {
        ...zero,
        'avg:properties.revenue': null,
        'min:properties.revenue': null,
        'max:properties.revenue': null,
      };
      expect(answer).toEqual({
        rows: [{ dimensions: {}, metrics: empty }],
        totals: empty,
        folded: [],
        truncated: false,
        newestReceivedAtMs: null,
        measuresOutOfRange: 0,
      });
      expect(foldOf([], { metrics, breakdown: ['event'], windows: [ALL_TIME] }).answer(byEvents, 10).rows).toEqual([]);
    });
  });

  describe('which events count', () => {
    const window = { startMs: Date.parse('2026-11-28T00:00:00Z'), endMs: Date.parse('2026-11-29T00:00:00Z') };
    const events = [
      foldableEvent({ name: 'Paid', at: '2026-11-27T23:59:59.999Z', receivedAt: '2026-11-28T00:00:05Z' }),
      foldableEvent({ name: 'Paid', at: '2026-11-28T00:00:00Z' }),
      foldableEvent({ name: 'Paid', at: '2026-11-28T23:59:59.999Z', properties: { plan: 'pro' } }),
      foldableEvent({ name: 'Signed Up', at: '2026-11-28T12:00:00Z', properties: { plan: 'pro' } }),
      foldableEvent({ name: 'Paid', at: '2026-11-29T00:00:00Z', receivedAt: '2026-11-29T09:00:00Z' }),
    ];

    it('counts events in [start, end) of the window, of the names asked, passing every filter', () => {
      const count = (options: Partial<EventFoldOptions>) =>
        foldOf(events, { windows: [window], ...options }).answer(byEvents, 1).totals['events'];
      expect(count({})).toBe(3);
      expect(count({ events: ['Paid'] })).toBe(2);
      expect(count({ filters: [{ field: 'properties.plan', op: 'eq', value: 'pro' }] })).toBe(2);
      expect(count({ events: ['Paid'], filters: [{ field: 'properties.plan', op: 'exists' }] })).toBe(1);
    });

    it('reports the newest receipt of every event read, counted or not', () => {
      const answer = foldOf(events, { windows: [window], events: ['Nothing'] }).answer(byEvents, 1);
      expect(answer.newestReceivedAtMs).toBe(Date.parse('2026-11-29T09:00:00Z'));
    });

    it('ignores an event inside the window but in no bucket', () => {
      const buckets = [{ startMs: window.startMs, endMs: window.startMs + HOUR_MS }];
      const answer = foldOf(events, { windows: [{ ...window, buckets }] }).answer(byEvents, 1);
      expect(table(answer.rows)).toEqual([['2026-11-28T00:00:00.000Z', 1]]);
      expect(answer.totals).toEqual({ events: 1 });
    });
  });

  describe('zoned buckets', () => {
    const cases: [string, ZonedInterval, string, string, string[], [string, string][]][] = [
      [
        'the 25-hour day of the autumn change in Paris',
        'day',
        'Europe/Paris',
        '2026-10-24T00:00:00+02:00',
        [
          '2026-10-24T23:30:00+02:00',
          '2026-10-25T02:30:00+02:00',
          '2026-10-25T02:30:00+01:00',
          '2026-10-25T23:59:00+01:00',
          '2026-10-26T00:00:00+01:00',
        ],
        [
          ['2026-10-23T22:00:00.000Z', 'events 1'],
          ['2026-10-24T22:00:00.000Z', 'events 3'],
          ['2026-10-25T23:00:00.000Z', 'events 1'],
        ],
      ],
      [
        'the date after a skipped midnight in Santiago, from 01:00',
        'day',
        'America/Santiago',
        '2026-09-05T00:00:00-04:00',
        [
          '2026-09-05T23:59:00-04:00',
          '2026-09-06T01:00:00-03:00',
          '2026-09-06T23:59:00-03:00',
          '2026-09-07T00:00:00-03:00',
        ],
        [
          ['2026-09-05T04:00:00.000Z', 'events 1'],
          ['2026-09-06T04:00:00.000Z', 'events 2'],
          ['2026-09-07T03:00:00.000Z', 'events 1'],
        ],
      ],
      [
        'ISO weeks from Monday across the spring change in Paris',
        'week',
        'Europe/Paris',
        '2026-03-23T00:00:00+01:00',
        [
          '2026-03-23T00:00:00+01:00',
          '2026-03-29T23:59:00+02:00',
          '2026-03-30T00:00:00+02:00',
          '2026-04-05T12:00:00+02:00',
        ],
        [
          ['2026-03-22T23:00:00.000Z', 'events 2'],
          ['2026-03-29T22:00:00.000Z', 'events 2'],
        ],
      ],
      [
        'calendar months across the autumn changes of New York',
        'month',
        'America/New_York',
        '2026-10-01T00:00:00-04:00',
        [
          '2026-10-31T23:59:00-04:00',
          '2026-11-01T00:00:00-04:00',
          '2026-11-30T23:59:00-05:00',
          '2026-12-01T00:00:00-05:00',
        ],
        [
          ['2026-10-01T04:00:00.000Z', 'events 1'],
          ['2026-11-01T04:00:00.000Z', 'events 2'],
          ['2026-12-01T05:00:00.000Z', 'events 1'],
        ],
      ],
    ];

    it.each(cases)('puts events in %s', (_, interval, tz, from, times, expected) => {
      const startMs = Date.parse(from);
      const endMs = Date.parse(expected.at(-1)?.[0] as string) + 40 * DAY_MS;
      const buckets = zonedBuckets(startMs, endMs, interval, tz).slice(0, expected.length);
      const events = times.map((at) => foldableEvent({ at }));
      const answer = foldOf(events, { windows: [{ startMs, endMs, buckets }] }).answer(byEvents, 1);
      expect(answer.rows.map((row) => [row.dimensions['time'], `events ${row.metrics['events']}`])).toEqual(expected);
    });
  });

  describe('order and limit', () => {
    const plans = ['pro', 'pro', 'pro', 'free', 'free', 'team', 'team', undefined, undefined, 'solo'];
    const events = plans.map((plan, i) =>
      foldableEvent({
        userKey: `u:${i % 3}`,
        properties: { plan, seats: i },
        at: i % 2 === 0 ? '2026-11-28T10:00:00Z' : '2026-11-28T11:00:00Z',
      }),
    );
    const fold = foldOf(events, {
      metrics: ['events', 'max:properties.seats'],
      breakdown: ['properties.plan'],
      windows: [ALL_TIME],
    });
    const order = (by: string, descending: boolean, limit = 10) => fold.answer({ by, descending }, limit);
    const firstColumn = (answer: FoldAnswer) => answer.rows.map((row) => row.dimensions['properties.plan']);

    it.each([
      ['events, descending; ties by value, (none) last', 'events', true, ['pro', 'free', 'team', null, 'solo']],
      ['events, ascending; ties by value, (none) last', 'events', false, ['solo', 'free', 'team', null, 'pro']],
      ['a measure, descending', 'max:properties.seats', true, ['solo', null, 'team', 'free', 'pro']],
      ['the breakdown field, ascending, (none) last', 'properties.plan', false, ['free', 'pro', 'solo', 'team', null]],
      [
        'the breakdown field, descending, (none) still last',
        'properties.plan',
        true,
        ['team', 'solo', 'pro', 'free', null],
      ],
    ] as const)('orders by %s', (_, by, descending, expected) => {
      expect(firstColumn(order(by, descending))).toEqual(expected);
    });

    it('limits combinations, says so, and keeps every time row of a listed one', () => {
      expect(order('events', true, 2)).toMatchObject({ truncated: true, totals: { events: 10 } });
      expect(order('events', true, 5).truncated).toBe(false);
      const hours = [
        { startMs: Date.parse('2026-11-28T10:00:00Z'), endMs: Date.parse('2026-11-28T11:00:00Z') },
        { startMs: Date.parse('2026-11-28T11:00:00Z'), endMs: Date.parse('2026-11-28T12:00:00Z') },
        { startMs: Date.parse('2026-11-28T12:00:00Z'), endMs: Date.parse('2026-11-28T13:00:00Z') },
      ];
      const timed = foldOf(events, { breakdown: ['properties.plan'], windows: [{ ...ALL_TIME, buckets: hours }] });
      expect(table(timed.answer(byEvents, 2).rows)).toEqual([
        ['2026-11-28T10:00:00.000Z', 'pro', 2],
        ['2026-11-28T11:00:00.000Z', 'pro', 1],
        ['2026-11-28T12:00:00.000Z', 'pro', 0],
        ['2026-11-28T10:00:00.000Z', 'free', 1],
        ['2026-11-28T11:00:00.000Z', 'free', 1],
        ['2026-11-28T12:00:00.000Z', 'free', 0],
      ]);
    });

    it('refuses an order that is neither a metric nor a breakdown field', () => {
      expect(() => order('uniques', true)).toThrow(/cannot order by uniques/);
    });
  });

  describe('the previous period', () => {
    // October has 31 days, September 30: the periods pair day by day, by index.
    const tz = 'UTC';
    const october = { startMs: Date.parse('2026-10-01T00:00:00Z'), endMs: Date.parse('2026-11-01T00:00:00Z') };
    const september = { startMs: Date.parse('2026-09-01T00:00:00Z'), endMs: Date.parse('2026-10-01T00:00:00Z') };
    const events = [
      foldableEvent({ at: '2026-10-01T10:00:00Z', properties: { plan: 'pro' } }),
      foldableEvent({ at: '2026-10-31T10:00:00Z', properties: { plan: 'free' } }),
      foldableEvent({ at: '2026-09-01T10:00:00Z', properties: { plan: 'pro' } }),
      foldableEvent({ at: '2026-09-30T10:00:00Z', properties: { plan: 'team' } }),
    ];

    it('lists the window’s combinations, each with all the period’s buckets, mapped by index', () => {
      const fold = foldOf(events, {
        breakdown: ['properties.plan'],
        windows: [
          { ...october, buckets: zonedBuckets(october.startMs, october.endMs, 'day', tz) },
          { ...september, buckets: zonedBuckets(september.startMs, september.endMs, 'day', tz) },
        ],
      });
      const answer = fold.answer({ by: 'properties.plan', descending: false }, 10);
      expect(answer.rows).toHaveLength(2 * 31);
      const comparison = answer.comparison as NonNullable<FoldAnswer['comparison']>;
      expect(comparison.rows).toHaveLength(2 * 30);
      const nonZero = (rows: readonly FoldRow[]) => table(rows.filter((row) => row.metrics['events'] !== 0));
      expect(nonZero(answer.rows)).toEqual([
        ['2026-10-31T00:00:00.000Z', 'free', 1],
        ['2026-10-01T00:00:00.000Z', 'pro', 1],
      ]);
      expect(nonZero(comparison.rows)).toEqual([['2026-09-01T00:00:00.000Z', 'pro', 1]]);
      expect(comparison.rows.map((row) => row.dimensions['properties.plan'])).not.toContain('team');
      expect(comparison.totals).toEqual({ events: 2 });
      expect(comparison.rows[0]?.dimensions).toEqual({ time: '2026-09-01T00:00:00.000Z', 'properties.plan': 'free' });
    });

    it('refuses windows where only one has buckets', () => {
      const buckets = zonedBuckets(october.startMs, october.endMs, 'day', tz);
      expect(
        () =>
          new EventFold({
            metrics: ['events'],
            breakdown: [],
            filters: [],
            windows: [{ ...october, buckets }, september],
          }),
      ).toThrow(RangeError);
    });
  });

  describe('bounds', () => {
    const planned = (plan: string, team = 'x', userKey = 'u:1') =>
      foldableEvent({ userKey, properties: { plan, team } });

    it('counts new values past the combination bound under (other), totals exact, and names the field', () => {
      const events = ['a', 'b', 'a', 'c', 'd', 'b', 'c'].map((plan) => planned(plan));
      const answer = foldOf(events, { breakdown: ['properties.plan'], windows: [ALL_TIME], maxCombinations: 2 }).answer(
        { by: 'properties.plan', descending: false },
        10,
      );
      expect(table(answer.rows)).toEqual([
        ['(other)', 3],
        ['a', 2],
        ['b', 2],
      ]);
      expect(answer).toMatchObject({ folded: ['properties.plan'], totals: { events: 7 } });
    });

    it('with two fields, keeps the values already held and folds the rest', () => {
      const events = [
        planned('a', 'x'),
        planned('b', 'y'),
        planned('a', 'y'), // both values held, not together: the last field folds
        planned('c', 'x'), // a new plan
        planned('c', 'z'), // both new
        planned('a', 'x'), // held
      ];
      const answer = foldOf(events, {
        breakdown: ['properties.plan', 'properties.team'],
        windows: [ALL_TIME],
        maxCombinations: 2,
      }).answer({ by: 'properties.plan', descending: false }, 10);
      expect(table(answer.rows)).toEqual([
        ['(other)', '(other)', 1],
        ['(other)', 'x', 1],
        ['a', '(other)', 1],
        ['a', 'x', 2],
        ['b', 'y', 1],
      ]);
      expect(answer.folded).toEqual(['properties.plan', 'properties.team']);
      expect(answer.totals).toEqual({ events: 6 });
    });

    describe('time rows held', () => {
      const HOURS = { startMs: Date.parse('2026-11-28T00:00:00Z'), endMs: Date.parse('2026-11-28T03:00:00Z') };
      const hourly = [{ ...HOURS, buckets: zonedBuckets(HOURS.startMs, HOURS.endMs, 'hour', 'UTC') }] as const;
      const inHour = (plan: string, hour: number) =>
        foldableEvent({ properties: { plan }, at: HOURS.startMs + hour * HOUR_MS });

      it('counts an event whose row is not held under (other) past the bound, totals exact, and names the field', () => {
        const events = [
          inHour('a', 0),
          inHour('b', 0),
          inHour('a', 1), // a is held, but not its second hour: the bound of two rows is reached
          inHour('a', 0), // a row held
          inHour('c', 0), // a new value
          inHour('b', 2),
        ];
        const answer = foldOf(events, { breakdown: ['properties.plan'], windows: hourly, maxTimeRows: 2 }).answer(
          { by: 'properties.plan', descending: false },
          10,
        );
        expect(table(answer.rows)).toEqual([
          ['2026-11-28T00:00:00.000Z', '(other)', 1],
          ['2026-11-28T01:00:00.000Z', '(other)', 1],
          ['2026-11-28T02:00:00.000Z', '(other)', 1],
          ['2026-11-28T00:00:00.000Z', 'a', 2],
          ['2026-11-28T01:00:00.000Z', 'a', 0],
          ['2026-11-28T02:00:00.000Z', 'a', 0],
          ['2026-11-28T00:00:00.000Z', 'b', 1],
          ['2026-11-28T01:00:00.000Z', 'b', 0],
          ['2026-11-28T02:00:00.000Z', 'b', 0],
        ]);
        expect(answer).toMatchObject({ folded: ['properties.plan'], totals: { events: 6 } });
      });

      it('holds no more combinations than the rows allow, however many values there are', () => {
        const events = Array.from({ length: 3_000 }, (_, i) => inHour(`v${i}`, i % 3));
        const answer = foldOf(events, { breakdown: ['properties.plan'], windows: hourly, maxTimeRows: 10 }).answer(
          byEvents,
          1_000,
        );
        const listed = new Set(answer.rows.map((row) => row.dimensions['properties.plan']));
        expect(listed.size).toBe(11); // ten held, and (other)
        expect(answer.totals).toEqual({ events: 3_000 });
        expect(answer.folded).toEqual(['properties.plan']);
      });

      it('never folds the rows of a question without breakdown', () => {
        const events = [inHour('a', 0), inHour('b', 1), inHour('c', 2)];
        const answer = foldOf(events, { windows: hourly, maxTimeRows: 1 }).answer(byEvents, 10);
        expect(table(answer.rows)).toEqual([
          ['2026-11-28T00:00:00.000Z', 1],
          ['2026-11-28T01:00:00.000Z', 1],
          ['2026-11-28T02:00:00.000Z', 1],
        ]);
        expect(answer.folded).toEqual([]);
      });
    });

    it('throws scan_too_large past the users it may hold', () => {
      const fold = new EventFold({
        metrics: ['uniques'],
        breakdown: [],
        filters: [],
        windows: [ALL_TIME],
        maxUsers: 100,
      });
      fold.add(Array.from({ length: 50 }, (_, i) => planned('a', 'x', `u:${i}`))); // 50 users × (row, total)
      const thrown = (() => {
        try {
          fold.add([planned('a', 'x', 'u:50')]);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(FoldBoundError);
      expect(thrown).toMatchObject({
        code: 'scan_too_large',
        message: expect.stringContaining('more than 100 distinct users'),
      });
    });

    it('holds no users when no metric counts them', () => {
      const fold = new EventFold({ metrics: ['events'], breakdown: [], filters: [], windows: [ALL_TIME], maxUsers: 1 });
      fold.add(Array.from({ length: 10 }, (_, i) => planned('a', 'x', `u:${i}`)));
      expect(fold.answer(byEvents, 1).totals).toEqual({ events: 10 });
    });
  });
});

// ---------------------------------------------------------------------------------------
// The fold against a naive reference, written from the rules (0009, section 5) over the
// events' JSON, not their `props`: for many random questions over one generated dataset.
// ---------------------------------------------------------------------------------------

interface RawEvent {
  readonly name: string;
  readonly userKey: string;
  readonly timestampMs: number;
  readonly receivedAtMs: number;
  readonly properties: Record<string, unknown>;
  readonly country: string | undefined;
}

/** How the reference reads a field from an event's JSON (the spec's own spelling of keys). */
const FIELDS: Record<string, (raw: RawEvent) => unknown> = {
  event: (raw) => raw.name,
  $country: (raw) => raw.country,
  'properties.plan': (raw) => raw.properties['plan'],
  'properties.a%2Eb': (raw) => raw.properties['a.b'],
  'properties.revenue': (raw) => raw.properties['revenue'],
  'properties.seats': (raw) => raw.properties['seats'],
  'properties.missing': () => undefined,
};

let seed = 20_261_128;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const some = <T>(items: readonly T[], most: number): T[] =>
  items.filter(() => random() < 0.5).slice(0, Math.floor(random() * (most + 1)));

const DATA_FROM = Date.parse('2026-08-25T00:00:00Z');
const DATA_TO = Date.parse('2026-11-20T00:00:00Z');

function generatedEvents(count: number): RawEvent[] {
  return Array.from({ length: count }, () => {
    const timestampMs = DATA_FROM + Math.floor(random() * (DATA_TO - DATA_FROM));
    const properties: Record<string, unknown> = {};
    const set = (key: string, values: readonly unknown[]) => {
      const value = pick(values);
      if (value !== undefined) properties[key] = value;
    };
    set('plan', ['free', 'pro', 'pro', 'team', 10, '10', true, undefined]);
    set('a.b', ['x', 'y', undefined]);
    set('revenue', [0.1, 19.99, -5, 1_000, 2e9, 1e9, '12.5', 3.333_333_3, undefined, undefined]);
    set('seats', [1, 2, 5, 10, 50, undefined]);
    return {
      name: pick(['Signed Up', 'Paid', '$page', 'Order Completed']),
      userKey: `${pick(['u', 'a'])}:${Math.floor(random() * 300)}`,
      timestampMs,
      receivedAtMs: timestampMs + Math.floor(random() * 2 * HOUR_MS),
      properties,
      country: pick(['DE', 'FR', 'US', undefined]),
    };
  });
}

const asFoldable = (raw: RawEvent): FoldableEvent =>
  foldableEvent({
    name: raw.name,
    userKey: raw.userKey,
    at: raw.timestampMs,
    receivedAt: raw.receivedAtMs,
    properties: raw.properties,
    standard: raw.country === undefined ? {} : { $country: raw.country },
  });

/** The reference's canonical text: the dataset's strings are short and clean, so this is all it needs. */
const canonical = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

const textOf = (raw: RawEvent, field: string) => canonical((FIELDS[field] as (raw: RawEvent) => unknown)(raw));
const numberOf = (raw: RawEvent, field: string): number | undefined => {
  const value = FIELDS[field]?.(raw);
  return typeof value === 'number' ? value : undefined;
};

function referenceMatches(raw: RawEvent, filter: FieldFilter): boolean {
  const text = textOf(raw, filter.field);
  switch (filter.op) {
    case 'eq':
      return text !== undefined && text === canonical(filter.value);
    case 'neq':
      return text === undefined || text !== canonical(filter.value);
    case 'in':
      return text !== undefined && filter.value.map(canonical).includes(text);
    case 'not_in':
      return text === undefined || !filter.value.map(canonical).includes(text);
    case 'contains':
      return text !== undefined && text.includes(filter.value);
    case 'starts_with':
      return text !== undefined && text.startsWith(filter.value);
    case 'exists':
      return text !== undefined;
    default: {
      const n = numberOf(raw, filter.field);
      if (n === undefined) return false;
      const bound = filter.value;
      return { gt: n > bound, gte: n >= bound, lt: n < bound, lte: n <= bound }[filter.op];
    }
  }
}

interface Question {
  readonly options: EventFoldOptions;
  readonly order: FoldOrder;
  readonly limit: number;
  readonly interval: ZonedInterval | undefined;
  readonly tz: string;
}

const MEASURE_LIMIT = 1e9;
const inRange = (n: number | undefined): n is number => n !== undefined && Math.abs(n) <= MEASURE_LIMIT;

function referenceMetrics(raws: readonly RawEvent[], metrics: readonly string[]): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  for (const metric of metrics) {
    if (metric === 'events') result[metric] = raws.length;
    else if (metric === 'uniques') result[metric] = new Set(raws.map((raw) => raw.userKey)).size;
    else {
      const [kind, field] = metric.split(/:(.*)/) as [string, string];
      const values = raws.map((raw) => numberOf(raw, field)).filter(inRange);
      const micros = values.reduce((total, n) => total + BigInt(Math.round(n * 1e6)), 0n);
      const sum = Number(micros) / 1e6;
      if (kind === 'sum') result[metric] = sum;
      else if (values.length === 0) result[metric] = null;
      else if (kind === 'avg') result[metric] = sum / values.length;
      else result[metric] = kind === 'min' ? Math.min(...values) : Math.max(...values);
    }
  }
  return result;
}

/**
 * Checks with luxon that each bucket of a calendar interval is one day, week or month in
 * the zone: its first and last instants have the bucket's start as their start of unit.
 */
function expectCalendarUnits(buckets: readonly ZonedBucket[], { interval, tz }: Question): void {
  if (interval !== 'day' && interval !== 'week' && interval !== 'month') return;
  const startOf = (ms: number) => DateTime.fromMillis(ms, { zone: tz }).startOf(interval).toMillis();
  const wrong = buckets.filter((b) => startOf(b.startMs) !== b.startMs || startOf(b.endMs - 1) !== b.startMs);
  expect({ tz, interval, wrong }).toEqual({ tz, interval, wrong: [] });
}

/** The events of one combination in one period: all of them, and by bucket start. */
interface Group {
  readonly values: (string | null)[];
  readonly raws: RawEvent[];
  readonly byBucket: Map<number, RawEvent[]>;
}

function referenceAnswer(raws: readonly RawEvent[], question: Question): FoldAnswer {
  const { options, order, limit } = question;
  const { metrics, breakdown, filters } = options;
  const counted = new Set<RawEvent>();
  const periods = options.windows.map((window) => {
    if (window.buckets !== undefined) expectCalendarUnits(window.buckets, question);
    const groups = new Map<string, Group>();
    const all: RawEvent[] = [];
    for (const raw of raws) {
      if (options.events !== undefined && !options.events.includes(raw.name)) continue;
      if (raw.timestampMs < window.startMs || raw.timestampMs >= window.endMs) continue;
      const bucket = window.buckets?.find((b) => b.startMs <= raw.timestampMs && raw.timestampMs < b.endMs);
      if (window.buckets !== undefined && bucket === undefined) continue;
      if (!filters.every((filter) => referenceMatches(raw, filter))) continue;
      counted.add(raw);
      all.push(raw);
      const values = breakdown.map((field) => textOf(raw, field) ?? null);
      const key = JSON.stringify(values);
      const group: Group = groups.get(key) ?? { values, raws: [], byBucket: new Map() };
      groups.set(key, group);
      group.raws.push(raw);
      if (bucket !== undefined) {
        const inBucket = group.byBucket.get(bucket.startMs) ?? [];
        group.byBucket.set(bucket.startMs, inBucket);
        inBucket.push(raw);
      }
    }
    return { window, groups, all };
  });
  const [main] = periods as [(typeof periods)[number]];
  const candidates = breakdown.length === 0 ? [JSON.stringify([])] : [...main.groups.keys()];
  const valuesOf = (key: string) => JSON.parse(key) as (string | null)[];
  const sortKeys = new Map(
    candidates.map((key): [string, string | number | null] => {
      const field = breakdown.indexOf(order.by);
      if (field >= 0) return [key, valuesOf(key)[field] ?? null];
      return [key, referenceMetrics(main.groups.get(key)?.raws ?? [], [order.by])[order.by] ?? null];
    }),
  );
  const sortKey = (key: string): string | number | null => sortKeys.get(key) ?? null;
  const nullLast = (a: string | number | null, b: string | number | null, direction: number) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : (a < b ? -1 : 1) * direction;
  const sorted = [...candidates].sort((a, b) => {
    const primary = nullLast(sortKey(a), sortKey(b), order.descending ? -1 : 1);
    if (primary !== 0) return primary;
    const [va, vb] = [valuesOf(a), valuesOf(b)];
    for (let i = 0; i < va.length; i++) {
      const tie = nullLast(va[i] ?? null, vb[i] ?? null, 1);
      if (tie !== 0) return tie;
    }
    return 0;
  });
  const listed = sorted.slice(0, limit);
  const rowsOf = (period: (typeof periods)[number]): FoldRow[] =>
    listed.flatMap((key) => {
      const dimensions = Object.fromEntries(breakdown.map((field, i) => [field, valuesOf(key)[i] ?? null]));
      const group = period.groups.get(key);
      if (period.window.buckets === undefined)
        return [{ dimensions, metrics: referenceMetrics(group?.raws ?? [], metrics) }];
      return period.window.buckets.map((bucket) => ({
        dimensions: { time: new Date(bucket.startMs).toISOString(), ...dimensions },
        metrics: referenceMetrics(group?.byBucket.get(bucket.startMs) ?? [], metrics),
      }));
    });
  const measureFields = [...new Set(metrics.filter((m) => m.includes(':')).map((m) => m.slice(m.indexOf(':') + 1)))];
  const previous = periods[1];
  return {
    rows: rowsOf(main),
    totals: referenceMetrics(main.all, metrics),
    ...(previous && { comparison: { rows: rowsOf(previous), totals: referenceMetrics(previous.all, metrics) } }),
    folded: [],
    truncated: sorted.length > limit,
    newestReceivedAtMs: Math.max(...raws.map((raw) => raw.receivedAtMs)),
    measuresOutOfRange: [...counted].reduce(
      (total, raw) =>
        total +
        measureFields.filter((field) => numberOf(raw, field) !== undefined && !inRange(numberOf(raw, field))).length,
      0,
    ),
  };
}

const WINDOW_SPAN_MS: Record<ZonedInterval | 'none', number> = {
  none: 60 * DAY_MS,
  minute: 4 * HOUR_MS,
  hour: 4 * DAY_MS,
  day: 40 * DAY_MS,
  week: 80 * DAY_MS,
  month: 85 * DAY_MS,
};
const METRICS = [
  'events',
  'uniques',
  'sum:properties.revenue',
  'avg:properties.revenue',
  'min:properties.revenue',
  'max:properties.seats',
  'sum:properties.plan',
  'avg:properties.missing',
];
const BREAKDOWN_FIELDS = ['event', 'properties.plan', '$country', 'properties.a%2Eb'];
const FILTER_FIELDS = Object.keys(FIELDS);
const SCALARS = ['pro', 10, '10', true, 'DE', 'x', 'Paid', 1_000, 'missing'];

/** A random filter of each group of operators, on a given field. */
const FILTER_MAKERS: ((field: string) => FieldFilter)[] = [
  (field) => ({ field, op: pick(['eq', 'neq'] as const), value: pick(SCALARS) }),
  (field) => ({ field, op: pick(['in', 'not_in'] as const), value: [pick(SCALARS), ...some(SCALARS, 2)] }),
  (field) => ({ field, op: pick(['contains', 'starts_with'] as const), value: pick(['p', 'ro', '1', 'D', 'Si', '$']) }),
  (field) => ({ field, op: pick(['gt', 'gte', 'lt', 'lte'] as const), value: pick([0, 5, 10, 19.99, 1_000, -5]) }),
  (field) => ({ field, op: 'exists' }),
];
const randomFilter = (): FieldFilter => pick(FILTER_MAKERS)(pick(FILTER_FIELDS));

function randomQuestion(): Question {
  const interval = pick([undefined, 'minute', 'hour', 'day', 'week', 'month'] as const);
  const tz = pick([
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'Asia/Kolkata',
    'America/Santiago',
    'Australia/Lord_Howe',
  ]);
  const spanMs = Math.ceil((random() * WINDOW_SPAN_MS[interval ?? 'none']) / 60_000) * 60_000 + 60_000;
  const startMs = Math.floor((DATA_FROM + spanMs + random() * (DATA_TO - DATA_FROM - spanMs)) / 60_000) * 60_000;
  const windowOf = (from: number) => ({
    startMs: from,
    endMs: from + spanMs,
    ...(interval && { buckets: zonedBuckets(from, from + spanMs, interval, tz) }),
  });
  const main = windowOf(startMs);
  const windows: EventFoldOptions['windows'] = random() < 0.4 ? [main, windowOf(startMs - spanMs)] : [main];
  const metrics = [pick(METRICS), ...some(METRICS, 3)].filter((m, i, all) => all.indexOf(m) === i);
  const breakdown = some(BREAKDOWN_FIELDS, 2);
  const events = random() < 0.3 ? [pick(['Paid', 'Signed Up', '$page']), 'Order Completed'] : undefined;
  const order = { by: pick([...metrics, ...breakdown]), descending: random() < 0.6 };
  const filters = Array.from({ length: Math.floor(random() * 3) }, randomFilter);
  return {
    options: { metrics, breakdown, filters, ...(events && { events }), windows },
    order,
    limit: 1 + Math.floor(random() * 15),
    interval,
    tz,
  };
}

describe('EventFold against a reference, for random questions', () => {
  const raws = generatedEvents(3_000);
  const events = raws.map(asFoldable);
  const questions = Array.from({ length: 200 }, randomQuestion);
  const expected = new Map<Question, FoldAnswer>();
  const referenceOf = (question: Question): FoldAnswer => {
    const answer = expected.get(question) ?? referenceAnswer(raws, question);
    expected.set(question, answer);
    return answer;
  };

  it('gives the reference’s answer to each question, in batches of any size', () => {
    for (const question of questions) {
      const fold = new EventFold(question.options);
      const batch = 1 + Math.floor(random() * 1_000);
      for (let i = 0; i < events.length; i += batch) fold.add(events.slice(i, i + batch));
      // The question beside the answer, so that a failure shows what was asked.
      expect({ question, answer: fold.answer(question.order, question.limit) }).toEqual({
        question,
        answer: referenceOf(question),
      });
    }
  });

  it('asks questions that count something, with and without buckets, breakdowns and comparisons', () => {
    const counting = questions.filter((q) => (referenceOf(q).totals['events'] ?? 1) > 0);
    expect(counting.length).toBeGreaterThan(questions.length / 3);
    expect(counting.some((q) => q.interval === 'month' && q.options.windows.length === 2)).toBe(true);
    expect(counting.some((q) => q.options.breakdown.length === 2 && q.options.filters.length > 0)).toBe(true);
    expect(counting.some((q) => referenceOf(q).truncated)).toBe(true);
    expect(counting.some((q) => referenceOf(q).measuresOutOfRange > 0)).toBe(true);
    expect(counting.some((q) => (referenceOf(q).totals['uniques'] ?? 0) > 0)).toBe(true);
  });
});
