import {
  QUERY_FIELD_ROOTS,
  QUERY_STANDARD_FIELDS,
  QUERY_V1_LIMITS,
  analyticsQueryV1Schema,
  type AnalyticsQueryV1,
} from '@tally/contracts';
import { STANDARD_DIMENSIONS } from '@tally/event-dimensions';
import { FIELD_ROOTS, MAX_FIELD_KEY_LENGTH } from '../event-fields/field-path.codec';
import { planQuery, type QueryPlan, type QueryPlanFacts } from './plan-query';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const DAY_MS = 86_400_000;
const FACTS: QueryPlanFacts = { nowMs: NOW, scanMaxDays: 31, counted: { dimensions: [] } };

const question = (body: Record<string, unknown>): AnalyticsQueryV1 => analyticsQueryV1Schema(() => NOW).parse(body);
/** A window of `ms` ending now. */
const lastMs = (ms: number) => ({ from: new Date(NOW - ms).toISOString(), to: new Date(NOW).toISOString() });
const lastDays = (days: number) => lastMs(days * DAY_MS);
const onEvent = (op: string, value?: unknown) => ({ filters: [{ field: 'event', op, value }] });

const COUNTED = { kind: 'counters', reason: 'events and uniques by event name are counted in real time' } as const;
const scan = (reason: string): QueryPlan => ({ kind: 'scan', reason });
const refused = (field: string, rule: RegExp) => ({ kind: 'refused', field, rule: expect.stringMatching(rule) });

describe('planQuery', () => {
  it.each([
    [
      'events and uniques by event, of some names, per day: counters',
      { metrics: ['events', 'uniques'], breakdown: ['event'], events: ['a', 'b'], interval: 'day' },
      COUNTED,
    ],
    [
      'filters on event with eq and in: counters',
      {
        filters: [
          { field: 'event', op: 'eq', value: 'a' },
          { field: 'event', op: 'in', value: ['b', 'c'] },
        ],
      },
      COUNTED,
    ],
    ['minute and hour buckets: counters', { interval: 'minute', metrics: ['uniques'] }, COUNTED],
    ['a counted question of 400 days: counters, whatever the scan bound', lastDays(400), COUNTED],
    [
      'a measure: scan',
      { metrics: ['events', 'sum:properties.revenue'] },
      scan('sum:properties.revenue is not counted in real time'),
    ],
    [
      'a breakdown by a standard dimension: scan',
      { breakdown: ['event', '$country'] },
      scan('breakdown by $country is not counted in real time'),
    ],
    [
      'a breakdown by a property: scan',
      { breakdown: ['properties.plan'] },
      scan('breakdown by properties.plan is not counted in real time'),
    ],
    [
      'a filter on another field than event: scan',
      { filters: [{ field: '$os', op: 'eq', value: 'iOS' }] },
      scan('a filter on $os is not counted in real time'),
    ],
    [
      'a neq filter on event: scan',
      onEvent('neq', 'a'),
      scan('a filter on event with neq is not counted in real time (eq and in are)'),
    ],
    [
      'an exists filter on event: scan',
      onEvent('exists'),
      scan('a filter on event with exists is not counted in real time (eq and in are)'),
    ],
    ['week buckets: counters (a week is read as its days)', { interval: 'week', tz: 'Europe/Paris' }, COUNTED],
    ['month buckets: counters', { interval: 'month' }, COUNTED],
    ['path counters on a counted question: counters', { path: 'counters' }, COUNTED],
    [
      'path counters on an uncounted question: refused, naming path',
      { path: 'counters', breakdown: ['$os'] },
      refused(
        'path',
        /^the counters cannot answer this question: breakdown by \$os is not counted in real time; ask with path auto or scan$/,
      ),
    ],
    ['path scan on a counted question: scan', { path: 'scan' }, scan('path scan was asked for')],
    [
      'a scan of exactly the bound: scan',
      { ...lastDays(31), breakdown: ['$os'] },
      scan('breakdown by $os is not counted in real time'),
    ],
    [
      'a scan a minute past the bound: refused, naming from',
      { ...lastMs(31 * DAY_MS + 60_000), breakdown: ['$os'] },
      refused(
        'from',
        /^needs a scan, because breakdown by \$os is not counted in real time; a scan reads at most 31 days: shorten the window$/,
      ),
    ],
    [
      'a scan a second past the bound, as whole minutes: refused',
      { ...lastMs(31 * DAY_MS + 1_000), breakdown: ['$os'] },
      refused('from', /at most 31 days/),
    ],
    [
      'a scan with compare, both periods within the bound: scan',
      { ...lastDays(15.5), compare: 'previous_period', breakdown: ['$os'] },
      scan('breakdown by $os is not counted in real time'),
    ],
    [
      'a scan with compare, both periods past the bound: refused',
      { ...lastDays(16), compare: 'previous_period', breakdown: ['$os'] },
      refused('from', /of both periods together, so a window of at most 15.5 days with compare: shorten the window$/),
    ],
    [
      'a forced scan past the bound of a counted question: refused, pointing to path auto',
      { ...lastDays(40), path: 'scan' },
      refused('from', /^needs a scan, because path scan was asked for; .*: shorten the window, or ask with path auto$/),
    ],
    [
      'a forced scan past the bound of an uncounted question: refused',
      { ...lastDays(40), breakdown: ['$os'] },
      refused('from', /because breakdown by \$os is not counted in real time; .*: shorten the window$/),
    ],
  ])('%s', (_rule, body, plan) => {
    expect(planQuery(question(body), FACTS)).toEqual(plan);
  });

  it('counts the previous calendar months against the bound, not a window of the same length', () => {
    // March (31 days) by month, compared with February (28): 59 days, within a bound of 60.
    const march = question({
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-01T00:00:00Z',
      interval: 'month',
      compare: 'previous_period',
      breakdown: ['$os'],
    });
    expect(planQuery(march, { ...FACTS, scanMaxDays: 60 })).toEqual(
      scan('breakdown by $os is not counted in real time'),
    );
    expect(planQuery(march, { ...FACTS, scanMaxDays: 58 })).toMatchObject({ kind: 'refused', field: 'from' });
  });

  it('reads the bound from the facts', () => {
    const query = question({ ...lastDays(40), breakdown: ['$os'] });
    expect(planQuery(query, { ...FACTS, scanMaxDays: 40 }).kind).toBe('scan');
    expect(planQuery(query, { ...FACTS, scanMaxDays: 39 }).kind).toBe('refused');
  });
});

// The query contract restates which fields exist, because contracts may not depend on
// the libraries that own them; this is where the two spellings are held together.
describe('the fields a query may name', () => {
  it('are the standard dimensions and the roots and key bound of the field-path codec', () => {
    expect(QUERY_STANDARD_FIELDS).toEqual(STANDARD_DIMENSIONS);
    expect(QUERY_FIELD_ROOTS).toEqual(FIELD_ROOTS);
    expect(QUERY_V1_LIMITS.maxFieldKeyLength).toBe(MAX_FIELD_KEY_LENGTH);
  });
});
