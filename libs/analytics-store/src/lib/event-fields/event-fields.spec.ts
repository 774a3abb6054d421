import { MAX_DIMENSION_VALUE_LENGTH, standardDimensionsOf } from '@tally/event-dimensions';
import { MAX_LEAVES_PER_EVENT, eventFieldsOf, storedLeafProblem, type EventFields } from './event-fields';
import { MAX_FIELD_KEY_LENGTH, fieldPath } from './field-path.codec';
import { analyticsJsPageView, serverOrderCompleted, unvalidatedEvent } from './segment-events.fixture';

const NAME_ONLY = { event: 'Tested' };

/** The fields of an event with these roots and no standard dimension but its name. */
const fieldsOf = (roots: Parameters<typeof unvalidatedEvent>[0]): EventFields =>
  eventFieldsOf(unvalidatedEvent(roots), NAME_ONLY);

describe('eventFieldsOf', () => {
  it("keeps an analytics.js page view's leaves and standard dimensions, not its user agent", () => {
    const event = analyticsJsPageView();
    expect(eventFieldsOf(event, standardDimensionsOf(event))).toEqual({
      props: [
        '$browser=Chrome',
        '$device=desktop',
        '$library=analytics.js',
        '$os=Windows',
        '$path=/pricing',
        '$referrer_host=google.com',
        '$utm_campaign=brand',
        '$utm_medium=cpc',
        '$utm_source=google',
        'context.campaign.medium=cpc',
        'context.campaign.name=brand',
        'context.campaign.source=google',
        'context.library.name=analytics.js',
        'context.library.version=npm:next-1.84.3',
        'context.locale=en-US',
        'context.page.path=/pricing',
        'context.page.referrer=https://www.google.com/',
        'context.page.search=?utm_source=google&utm_medium=cpc&utm_campaign=brand',
        'context.page.title=Pricing – Acme',
        'context.page.url=https://acme.io/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
        'context.timezone=Europe/Paris',
        'properties.name=Pricing',
        'properties.path=/pricing',
        'properties.referrer=https://www.google.com/',
        'properties.search=?utm_source=google&utm_medium=cpc&utm_campaign=brand',
        'properties.title=Pricing – Acme',
        'properties.url=https://acme.io/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
      ],
      nums: [],
      dropped: 0,
    });
  });

  it("keeps a server track event's numbers in nums too, and skips its array of products", () => {
    const fields = eventFieldsOf(serverOrderCompleted(), {
      event: 'Order Completed',
      $library: '@segment/analytics-node',
    });
    expect(fields).toEqual({
      props: [
        '$library=@segment/analytics-node',
        'context.library.name=@segment/analytics-node',
        'context.library.version=3.1.0',
        'properties.coupon=WINTER',
        'properties.currency=EUR',
        'properties.orderId=ord_8812',
        'properties.revenue=19.99',
      ],
      nums: [{ k: 'properties.revenue', n: 19.99 }],
      dropped: 0,
    });
  });

  it.each<[string, Parameters<typeof unvalidatedEvent>[0], string[]]>([
    [
      '"." in a key escaped, nesting joined by "."',
      { properties: { 'a.b': 'x', a: { b: 'y' } } },
      ['properties.a%2Eb=x', 'properties.a.b=y'],
    ],
    ['a leading "$" as it is', { traits: { $name: 'Ada' } }, ['traits.$name=Ada']],
    ['"=" escaped in keys, kept in values', { properties: { 'a=b': 'c=d' } }, ['properties.a%3Db=c=d']],
    ['"%" escaped in keys, kept in values', { properties: { '100%': '%2E' } }, ['properties.100%25=%2E']],
    ['U+0000 escaped in keys, U+FFFD in values', { properties: { 'a\u0000': 'b\u0000' } }, ['properties.a%00=b\ufffd']],
    ['other controls alike', { context: { '\t': 'a\nb' } }, ['context.%09=a\ufffdb']],
    [
      'lone surrogates escaped in keys, U+FFFD in values',
      { properties: { '\ud800': '\udc00' } },
      ['properties.%ED%A0%80=\ufffd'],
    ],
    ['an empty key and an empty value', { properties: { '': '' } }, ['properties.=']],
    [
      'leaves down to 4 segments below the root, no deeper',
      { properties: { a: { b: { c: { d: 'kept', e: { f: 'too deep' } } } } } },
      ['properties.a.b.c.d=kept'],
    ],
    [
      'no arrays, nor what they hold',
      { properties: { tags: ['a', 'b'], items: [{ id: 1 }], kept: 'yes' } },
      ['properties.kept=yes'],
    ],
    ['no null, NaN or Infinity', { properties: { a: null, b: Number.NaN, c: Number.NEGATIVE_INFINITY } }, []],
    [
      'booleans as true and false',
      { traits: { paid: true, trial: false } },
      ['traits.paid=true', 'traits.trial=false'],
    ],
    [
      'not context.ip, context.userAgent nor context.userAgentData',
      {
        context: { ip: '203.0.113.9', userAgent: 'curl/8.5.0', userAgentData: { mobile: false }, locale: 'fr' },
        properties: { ip: 'a property like any other' },
      },
      ['context.locale=fr', 'properties.ip=a property like any other'],
    ],
    ['nothing from roots that are not objects', { properties: 'x', traits: [{ a: 1 }], context: null }, []],
  ])('keeps %s', (_, roots, props) => {
    expect(fieldsOf(roots)).toEqual({ props, nums: [], dropped: 0 });
  });

  it('gives 10 and "10" one props value, and only the number to nums', () => {
    expect(fieldsOf({ properties: { number: 10, text: '10' } })).toEqual({
      props: ['properties.number=10', 'properties.text=10'],
      nums: [{ k: 'properties.number', n: 10 }],
      dropped: 0,
    });
  });

  it('stores -0 as 0 in props and in nums', () => {
    const { props, nums } = fieldsOf({ properties: { z: -0 } });
    expect(props).toEqual(['properties.z=0']);
    expect(Object.is(nums[0]?.n, 0)).toBe(true);
  });

  it('cuts a long value to the bound, never inside a surrogate pair', () => {
    const value = 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) + '😀';
    expect(fieldsOf({ properties: { long: value } }).props).toEqual([`properties.long=${value.slice(0, -2)}`]);
  });

  it(`drops and counts leaves with keys over ${MAX_FIELD_KEY_LENGTH} characters`, () => {
    const room = MAX_FIELD_KEY_LENGTH - 'properties.'.length;
    const fits = 'k'.repeat(room);
    expect(fieldsOf({ properties: { [fits]: 1, ['k'.repeat(room + 1)]: 2, ['.'.repeat(room)]: 3 } })).toEqual({
      props: [`properties.${fits}=1`],
      nums: [{ k: `properties.${fits}`, n: 1 }],
      dropped: 2,
    });
  });

  describe(`at most ${MAX_LEAVES_PER_EVENT} leaves`, () => {
    const leafName = (i: number) => `p${String(i).padStart(2, '0')}`;
    /** 70 numeric leaves, listed last key first, so the JSON order is not the key order. */
    const manyLeaves = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [leafName(69 - i), 69 - i]));

    it('keeps the first by key, whatever order the JSON lists them in, and counts the rest', () => {
      const fields = eventFieldsOf(unvalidatedEvent({ properties: manyLeaves }), { event: 'x', $path: '/p' });
      const kept = Array.from({ length: MAX_LEAVES_PER_EVENT }, (_, i) => `properties.${leafName(i)}`);
      expect(fields.dropped).toBe(70 - MAX_LEAVES_PER_EVENT);
      expect(fields.props).toEqual(['$path=/p', ...kept.map((key, i) => `${key}=${i}`)]);
      expect(fields.nums).toEqual(kept.map((k, n) => ({ k, n })));
      const reordered = Object.fromEntries(Object.entries(manyLeaves).reverse());
      expect(eventFieldsOf(unvalidatedEvent({ properties: reordered }), { event: 'x', $path: '/p' })).toEqual(fields);
    });

    it('orders by key, not by entry: "z" before "z.b" although "z%2Eb=" sorts before "z="', () => {
      const fillers = Array.from({ length: MAX_LEAVES_PER_EVENT - 1 }, (_, i) => [leafName(i), 'f']);
      const { props, dropped } = fieldsOf({ properties: { ...Object.fromEntries(fillers), 'z.b': 'out', z: 'in' } });
      expect(dropped).toBe(1);
      expect(props).toContain('properties.z=in');
      expect(props).not.toContain('properties.z%2Eb=out');
    });

    it('counts leaves over the key bound among the dropped, not among the kept', () => {
      const tooLong = { ['k'.repeat(MAX_FIELD_KEY_LENGTH)]: 1 };
      const { props, dropped } = fieldsOf({ properties: { ...manyLeaves, ...tooLong } });
      expect(props).toHaveLength(MAX_LEAVES_PER_EVENT);
      expect(dropped).toBe(70 - MAX_LEAVES_PER_EVENT + 1);
    });
  });

  it('gives sorted props whose keys the codec reads back, and no entry for the event name', () => {
    const hostile = unvalidatedEvent({
      properties: { 'a.b=c%': { '\u0000$': 1, '😀': '\ud800' } },
      traits: { event: 'a trait', '': { '': true } },
      context: { page: { path: '/x' } },
    });
    const { props } = eventFieldsOf(hostile, { event: 'Tested', $path: '/x' });
    expect(props).toEqual([...props].sort());
    for (const entry of props) expect(fieldPath.decode(entry.slice(0, entry.indexOf('=')))).toBeDefined();
    expect(props.some((entry) => entry.startsWith('event='))).toBe(false);
    expect(props).toContain('traits.event=a trait');
  });
});

describe('storedLeafProblem', () => {
  /** Whether the worker stores a leaf under `key` for an event that has one there. */
  function storedByWorker(key: string): boolean {
    const path = fieldPath.decode(key);
    if (path === undefined || path.kind !== 'leaf') return false;
    const leaf = path.segments.reduceRight<unknown>((value, segment) => ({ [segment]: value }), 'x');
    return fieldsOf({ [path.root]: leaf }).props.includes(`${key}=x`);
  }

  it.each([
    ['properties.plan', undefined],
    ['traits.company.size', undefined],
    ['properties.a.b.c.d', undefined],
    ['properties.a%2Eb', undefined],
    ['context.app.version', undefined],
    ['properties.a.b.c.d.e', /5 segments below properties: the worker stores leaves at most 4/],
    ['properties.a%2eb', /not a key the worker stores/],
    ['properties.%41', /not a key the worker stores/],
    ['properties.a=b', /not a key the worker stores/],
    ['props.plan', /not a key the worker stores/],
    ['properties', /not a key the worker stores/],
    [`properties.${'k'.repeat(200)}`, /not a key the worker stores/],
    ['context.userAgent.browser', /under context.userAgent/],
    ['context.userAgentData.mobile', /under context.userAgentData/],
    ['$country', /a standard dimension/],
  ])('%s: %s', (key, problem) => {
    expect(storedLeafProblem(key)).toEqual(problem === undefined ? undefined : expect.stringMatching(problem));
    // The rule is the worker's: a key has no problem exactly when the worker stores a leaf there.
    expect(storedByWorker(key)).toBe(problem === undefined);
  });
});
