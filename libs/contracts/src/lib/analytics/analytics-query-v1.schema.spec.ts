import { describeIssues } from '../describe-issues.util';
import { aggregationApiOpenApi } from '../openapi/aggregation-api.openapi';
import { jsonSchemaOf } from '../openapi/openapi-parts';
import { analyticsAnswerV1Schema, analyticsQueryV1Schema, type AnalyticsAnswerV1 } from './analytics-query-v1.schema';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const schema = analyticsQueryV1Schema(() => NOW);
const problemsOf = (body: unknown) => {
  const result = schema.safeParse(body);
  return result.success ? [] : describeIssues(result.error);
};

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const names = (count: number, prefix = 'e') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const eventFilter = (filter: Record<string, unknown>) => ({ filters: [{ field: 'event', ...filter }] });

describe('analyticsQueryV1Schema', () => {
  it('fills every default: the last 24 h in UTC, events, no breakdown or filters, the first metric descending', () => {
    expect(schema.parse({})).toEqual({
      from: new Date(NOW - DAY_MS),
      to: new Date(NOW),
      startMinute: (NOW - DAY_MS) / 60_000,
      endMinute: NOW / 60_000,
      tz: 'UTC',
      metrics: ['events'],
      breakdown: [],
      filters: [],
      order: { by: 'events', descending: true },
      limit: 100,
      path: 'auto',
    });
  });

  const minuteOf = (instant: string) => Date.parse(instant) / 60_000;
  it.each([
    ['whole minutes stay as they are', '2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', '10:00', '11:00'],
    ['from is rounded down, to up', '2026-11-28T10:00:59.999Z', '2026-11-28T10:59:00.001Z', '10:00', '11:00'],
    ['an offset is an instant like any other', '2026-11-28T11:00:30+01:00', '2026-11-28T11:01:00Z', '10:00', '11:01'],
  ])('aligns the window to epoch minutes: %s', (_label, from, to, startsAt, endsAt) => {
    expect(schema.parse({ from, to })).toMatchObject({
      from: new Date(from),
      to: new Date(to),
      startMinute: minuteOf(`2026-11-28T${startsAt}:00Z`),
      endMinute: minuteOf(`2026-11-28T${endsAt}:00Z`),
    });
  });

  it.each([
    ['no order: the first metric, descending', { metrics: ['uniques', 'events'] }, { by: 'uniques', descending: true }],
    [
      'a metric, descending',
      { metrics: ['events', 'uniques'], order: '-uniques' },
      { by: 'uniques', descending: true },
    ],
    ['a metric, ascending', { order: 'events' }, { by: 'events', descending: false }],
    [
      'a breakdown field',
      { breakdown: ['event', '$country'], order: '$country' },
      { by: '$country', descending: false },
    ],
    [
      'a measure',
      { metrics: ['events', 'sum:properties.revenue'], order: '-sum:properties.revenue' },
      { by: 'sum:properties.revenue', descending: true },
    ],
  ])('orders by %s', (_label, body, order) => {
    expect(schema.parse(body).order).toEqual(order);
  });

  it.each([
    ['a 400-day window', { from: iso(NOW - 400 * DAY_MS), to: iso(NOW) }],
    ['a zone', { tz: 'Europe/Paris', interval: 'week' }],
    ['20 event names of 200 characters', { events: names(20, 'x'.repeat(197)) }],
    [
      '8 metrics of every kind',
      {
        metrics: [
          'events',
          'uniques',
          'sum:properties.revenue',
          'avg:properties.revenue',
          'min:traits.age',
          'max:context.screen.width',
          'sum:properties.a%2Eb',
          'avg:properties.',
        ],
      },
    ],
    ['a breakdown by a property key of 200 characters', { breakdown: ['event', `properties.${'k'.repeat(189)}`] }],
    [
      'eq with a string, number or boolean',
      { filters: [1, 'x', true].map((value) => ({ field: '$os', op: 'eq', value })) },
    ],
    ['not_in with 100 values', eventFilter({ op: 'not_in', value: names(100) })],
    ['starts_with with 200 characters', eventFilter({ op: 'starts_with', value: 's'.repeat(200) })],
    ['a range operator', { filters: [{ field: 'properties.price', op: 'lte', value: -0.5 }] }],
    ['exists without a value', { filters: [{ field: 'traits.email', op: 'exists' }] }],
    ['10 filters', { filters: Array.from({ length: 10 }, () => ({ field: 'event', op: 'exists' })) }],
    ['the previous period, a limit and a forced path', { compare: 'previous_period', limit: 1_000, path: 'scan' }],
  ])('takes %s', (_label, body) => {
    expect(problemsOf(body)).toEqual([]);
  });

  it.each([
    ['from that is no instant', 'from', { from: '2026-11-28' }, /ISO-8601 instant/],
    ['from after to', 'from', { from: iso(NOW), to: iso(NOW - 60_000) }, /must be before to/],
    ['from equal to to', 'from', { from: iso(NOW), to: iso(NOW) }, /must be before to/],
    ['a window of 400 days and a minute', 'to', { from: iso(NOW - 400 * DAY_MS - 60_000), to: iso(NOW) }, /400 days/],
    ['an unknown zone', 'tz', { tz: 'Mars/Olympus_Mons' }, /IANA time zone/],
    ['an unknown interval', 'interval', { interval: 'year' }, /minute, hour, day, week, month/],
    ['no event names', 'events', { events: [] }, /at least 1/],
    ['21 event names', 'events', { events: names(21) }, /at most 20/],
    ['an empty event name', 'events.1', { events: ['signup', ''] }, /must not be empty/],
    ['an event name of 201 characters', 'events.0', { events: ['x'.repeat(201)] }, /at most 200/],
    ['an event name twice', 'events.2', { events: ['a', 'b', 'a'] }, /already in events/],
    ['no metrics', 'metrics', { metrics: [] }, /at least 1/],
    ['9 metrics', 'metrics', { metrics: ['events', ...names(8, 'sum:properties.')] }, /at most 8/],
    ['an unknown metric', 'metrics.1', { metrics: ['events', 'count'] }, /events, uniques or sum:/],
    ['a measure of no property key', 'metrics.0', { metrics: ['sum:revenue'] }, /a key under properties\./],
    ['a measure of a standard dimension', 'metrics.0', { metrics: ['max:$country'] }, /a key under/],
    ['a measure of a key of 201 characters', 'metrics.0', { metrics: [`sum:properties.${'k'.repeat(190)}`] }, /200/],
    ['a metric twice', 'metrics.2', { metrics: ['uniques', 'events', 'uniques'] }, /already in metrics/],
    ['an unknown dimension', 'breakdown.0', { breakdown: ['$city'] }, /must be event, \$path/],
    ['a key of an unknown root', 'breakdown.1', { breakdown: ['event', 'props.plan'] }, /properties\., traits\./],
    ['a key of 201 characters', 'breakdown.0', { breakdown: [`traits.${'k'.repeat(194)}`] }, /200 characters/],
    ['three breakdown fields', 'breakdown', { breakdown: ['event', '$os', '$country'] }, /at most 2/],
    ['a breakdown field twice', 'breakdown.1', { breakdown: ['$os', '$os'] }, /already in breakdown/],
    ['11 filters', 'filters', { filters: Array.from({ length: 11 }, () => ({ field: 'event', op: 'exists' })) }, /10/],
    ['a filter that is no object', 'filters.0', { filters: ['event=signup'] }, /an object/],
    ['a filter on no field', 'filters.0.field', { filters: [{ field: 'plan', op: 'eq', value: 'pro' }] }, /must be/],
    ['an unknown operator', 'filters.0.op', eventFilter({ op: 'like', value: 'a' }), /eq, neq, in, not_in/],
    ['no operator', 'filters.0.op', eventFilter({ value: 'a' }), /eq, neq/],
    ['eq without a value', 'filters.0.value', eventFilter({ op: 'eq' }), /a string, a number or a boolean/],
    ['eq of null', 'filters.0.value', eventFilter({ op: 'neq', value: null }), /a string, a number or a boolean/],
    ['eq of a list', 'filters.0.value', eventFilter({ op: 'eq', value: ['a'] }), /a string, a number or a boolean/],
    ['in of no values', 'filters.0.value', eventFilter({ op: 'in', value: [] }), /at least 1/],
    ['in of 101 values', 'filters.0.value', eventFilter({ op: 'in', value: names(101) }), /at most 100/],
    ['in of a single value', 'filters.0.value', eventFilter({ op: 'in', value: 'a' }), /array/],
    ['in with an object', 'filters.0.value.1', eventFilter({ op: 'not_in', value: ['a', {}] }), /a string, a number/],
    ['contains of nothing', 'filters.0.value', eventFilter({ op: 'contains', value: '' }), /must not be empty/],
    ['contains of 201 characters', 'filters.0.value', eventFilter({ op: 'contains', value: 'c'.repeat(201) }), /200/],
    ['starts_with of a number', 'filters.0.value', eventFilter({ op: 'starts_with', value: 5 }), /must be a string/],
    ['gt of a numeric string', 'filters.0.value', eventFilter({ op: 'gt', value: '5' }), /finite number/],
    ['exists with a value', 'filters.0.value', eventFilter({ op: 'exists', value: true }), /exists takes no value/],
    ['a filter with an unknown key', 'filters.0', eventFilter({ op: 'eq', value: 'a', values: ['b'] }), /"values"/],
    ['another comparison', 'compare', { compare: 'previous_year' }, /previous_period/],
    ['an order by no requested metric', 'order', { order: '-uniques' }, /must be one of events \(/],
    ['an order by no breakdown field', 'order', { breakdown: ['event'], order: '$os' }, /events, event \(/],
    ['an order with two minus signs', 'order', { order: '--events' }, /- first for descending/],
    ['a limit of 0', 'limit', { limit: 0 }, /at least 1/],
    ['a limit of 1,001', 'limit', { limit: 1_001 }, /at most 1000/],
    ['a fractional limit', 'limit', { limit: 2.5 }, /whole number/],
    ['a limit as text', 'limit', { limit: '10' }, /whole number/],
    ['an unknown path', 'path', { path: 'fast' }, /auto, counters, scan/],
    ['an unknown field', '', { metric: 'events' }, /Unrecognized key: "metric"/],
  ])('refuses %s, naming "%s"', (_label, field, body, rule) => {
    const problems = problemsOf(body);
    expect(problems).toEqual([{ field, rule: expect.stringMatching(rule) }]);
  });

  it('names every bad field at once', () => {
    const fields = problemsOf({
      tz: 'Nowhere',
      metrics: ['count'],
      filters: [{ field: 'event', op: 'gt', value: 'x' }],
    });
    expect(fields.map((p) => p.field)).toEqual(['tz', 'metrics.0', 'filters.0.value']);
  });
});

describe('analyticsAnswerV1Schema', () => {
  const answer: AnalyticsAnswerV1 = {
    from: '2026-11-27T00:00:00.000Z',
    to: '2026-11-28T00:00:00.000Z',
    tz: 'Europe/Paris',
    interval: 'day',
    rows: [
      {
        dimensions: { time: '2026-11-26T23:00:00.000Z', $country: 'DE' },
        metrics: { events: 12, 'avg:properties.x': 1.5 },
      },
      {
        dimensions: { time: '2026-11-26T23:00:00.000Z', $country: null },
        metrics: { events: 3, 'avg:properties.x': null },
      },
    ],
    totals: { events: 15, 'avg:properties.x': 1.5 },
    comparison: { from: '2026-11-26T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z', rows: [], totals: { events: 0 } },
    path: 'counters',
    reason: 'breakdown by $country with filters on event only',
    freshness: { newestEventAt: null },
    folded: [],
    truncated: false,
  };

  it('passes a whole answer as it is', () => {
    expect(analyticsAnswerV1Schema.parse(answer)).toEqual(answer);
  });

  it.each([
    ['a refused plan as its path', { ...answer, path: 'refused' }, 'path'],
    ['a count as text', { ...answer, totals: { events: '15' } }, 'totals.events'],
    ['a field it does not define', { ...answer, cached: true }, ''],
    ['an instant that is not ISO', { ...answer, freshness: { newestEventAt: 'now' } }, 'freshness.newestEventAt'],
  ])('refuses %s', (_label, body, field) => {
    const result = analyticsAnswerV1Schema.safeParse(body);
    expect(result.success ? [] : describeIssues(result.error).map((p) => p.field)).toEqual([field]);
  });
});

describe('POST /v1/query in the OpenAPI document', () => {
  type Operation = {
    security: unknown;
    requestBody: { content: { 'application/json': { schema: unknown } } };
    responses: Record<string, { description: string; content?: { 'application/json': { schema: { $ref?: string } } } }>;
  };
  const document = aggregationApiOpenApi('test') as {
    paths: Record<string, { post: Operation }>;
    components: { schemas: Record<string, unknown> };
  };
  const operation = document.paths['/v1/query']?.post as Operation;

  it('takes its body and gives its answer as the zod schemas say, with a read key', () => {
    expect(operation.requestBody.content['application/json'].schema).toEqual(jsonSchemaOf(analyticsQueryV1Schema()));
    const answerRef = operation.responses['200']?.content?.['application/json'].schema.$ref ?? '';
    expect(document.components.schemas[answerRef.replace('#/components/schemas/', '')]).toEqual(
      jsonSchemaOf(analyticsAnswerV1Schema),
    );
    expect(operation.security).toEqual([{ readKey: [] }]);
  });

  it('describes the refusals: a bad field, a question past the scan bounds, quota and concurrent scans', () => {
    const described = (status: string) => operation.responses[status]?.description;
    expect(described('400')).toMatch(/`problems` name each field/);
    expect(described('422')).toMatch(/`scan_too_large`.*`scan_too_slow`/);
    expect(described('429')).toMatch(/quota.*concurrent scans/);
  });
});
