import { matchesAll, matchesFilter, type FieldFilter } from './field-predicate';
import { numValueOf, propValueOf } from './foldable-event';
import { foldableEvent, type EventShape } from './foldable-events.fixture';

const number10: EventShape = { properties: { plan: 10 } };
const text10: EventShape = { properties: { plan: '10' } };
const pro: EventShape = { properties: { plan: 'pro' } };
const free: EventShape = { properties: { plan: 'free' } };
const none: EventShape = { properties: { other: 'x' } };
const pricing: EventShape = { standard: { $path: '/pricing' } };
const yes: EventShape = { properties: { beta: true } };
const minusOne: EventShape = { properties: { plan: -1 } };
const nested: EventShape = { properties: { plan: { tier: 'pro' } } };

describe('matchesFilter', () => {
  const plan = 'properties.plan';
  const cases: [string, FieldFilter, EventShape, boolean][] = [
    // eq: canonical text on both sides
    ['eq 10 matches the number 10', { field: plan, op: 'eq', value: 10 }, number10, true],
    ['eq "10" matches the number 10', { field: plan, op: 'eq', value: '10' }, number10, true],
    ['eq 10 matches the string "10"', { field: plan, op: 'eq', value: 10 }, text10, true],
    ['eq 10.0 is eq 10', { field: plan, op: 'eq', value: 10.0 }, text10, true],
    ['eq "10.0" is not the number 10 ("10")', { field: plan, op: 'eq', value: '10.0' }, number10, false],
    ['eq true matches the boolean', { field: 'properties.beta', op: 'eq', value: true }, yes, true],
    ['eq "true" matches the boolean', { field: 'properties.beta', op: 'eq', value: 'true' }, yes, true],
    ['eq another value', { field: plan, op: 'eq', value: 'pro' }, free, false],
    ['eq on an absent field', { field: plan, op: 'eq', value: 'pro' }, none, false],
    ['eq on an object (no value)', { field: plan, op: 'eq', value: 'pro' }, nested, false],
    [
      'eq with a control character, cleaned as stored',
      { field: plan, op: 'eq', value: 'a\u0000b' },
      { properties: { plan: 'a\u0000b' } },
      true,
    ],
    ['eq on event compares the counted name', { field: 'event', op: 'eq', value: 'Signed Up' }, none, true],
    ['eq on event, another name', { field: 'event', op: 'eq', value: 'Paid' }, none, false],
    ['eq on a standard dimension', { field: '$path', op: 'eq', value: '/pricing' }, pricing, true],
    // neq: an absent field matches
    ['neq another value', { field: plan, op: 'neq', value: 'pro' }, free, true],
    ['neq the value', { field: plan, op: 'neq', value: 'pro' }, pro, false],
    ['neq on an absent field', { field: plan, op: 'neq', value: 'pro' }, none, true],
    ['neq 10 on the string "10"', { field: plan, op: 'neq', value: 10 }, text10, false],
    ['neq on event', { field: 'event', op: 'neq', value: 'Signed Up' }, none, false],
    // in, not_in
    ['in, by canonical text', { field: plan, op: 'in', value: ['pro', 10] }, text10, true],
    ['in, not listed', { field: plan, op: 'in', value: ['pro', 10] }, free, false],
    ['in on an absent field', { field: plan, op: 'in', value: ['pro', 10] }, none, false],
    ['not_in, not listed', { field: plan, op: 'not_in', value: ['pro', true] }, free, true],
    ['not_in, listed', { field: plan, op: 'not_in', value: ['pro', true] }, pro, false],
    ['not_in on an absent field', { field: plan, op: 'not_in', value: ['pro'] }, none, true],
    ['not_in on event', { field: 'event', op: 'not_in', value: ['Signed Up'] }, none, false],
    // contains, starts_with: on the canonical text
    ['contains', { field: '$path', op: 'contains', value: 'ric' }, pricing, true],
    ['contains, not there', { field: '$path', op: 'contains', value: 'rice' }, pricing, false],
    ['contains on a number reads its text', { field: plan, op: 'contains', value: '0' }, number10, true],
    ['contains on an absent field', { field: '$path', op: 'contains', value: 'ric' }, none, false],
    ['starts_with', { field: '$path', op: 'starts_with', value: '/pri' }, pricing, true],
    ['starts_with, inside only', { field: '$path', op: 'starts_with', value: 'pri' }, pricing, false],
    ['starts_with on a number reads its text', { field: plan, op: 'starts_with', value: '1' }, number10, true],
    [
      'starts_with on a boolean reads its text',
      { field: 'properties.beta', op: 'starts_with', value: 'tr' },
      yes,
      true,
    ],
    ['starts_with on event', { field: 'event', op: 'starts_with', value: 'Signed' }, none, true],
    ['starts_with on an absent field', { field: plan, op: 'starts_with', value: 'p' }, none, false],
    // gt gte lt lte: JSON numbers only
    ['gt below', { field: plan, op: 'gt', value: 5 }, number10, true],
    ['gt equal', { field: plan, op: 'gt', value: 10 }, number10, false],
    ['gt on text that looks like a number', { field: plan, op: 'gt', value: 5 }, text10, false],
    ['gte equal', { field: plan, op: 'gte', value: 10 }, number10, true],
    ['gte above', { field: plan, op: 'gte', value: 10.5 }, number10, false],
    ['lt equal', { field: plan, op: 'lt', value: 10 }, number10, false],
    ['lt a negative', { field: plan, op: 'lt', value: 0 }, minusOne, true],
    ['lte equal', { field: plan, op: 'lte', value: 10 }, number10, true],
    ['lte on text', { field: plan, op: 'lte', value: 100 }, text10, false],
    ['lte on a boolean', { field: 'properties.beta', op: 'lte', value: 1 }, yes, false],
    ['lt on an absent field', { field: plan, op: 'lt', value: 100 }, none, false],
    ['gte on event (a name is no number)', { field: 'event', op: 'gte', value: 0 }, { name: '5' }, false],
    ['gt on a standard dimension (text)', { field: '$path', op: 'gt', value: 0 }, pricing, false],
    // exists
    ['exists, present', { field: plan, op: 'exists' }, pro, true],
    ['exists, a number', { field: plan, op: 'exists' }, number10, true],
    ['exists, absent', { field: plan, op: 'exists' }, none, false],
    ['exists, only a leaf below it', { field: plan, op: 'exists' }, nested, false],
    ['exists on the leaf below', { field: 'properties.plan.tier', op: 'exists' }, nested, true],
    ['exists on event', { field: 'event', op: 'exists' }, none, true],
  ];

  it.each(cases)('%s', (_, filter, shape, expected) => {
    expect(matchesFilter(foldableEvent(shape), filter)).toBe(expected);
  });

  describe('keys that are prefixes of one another', () => {
    // Stored sorted as whole entries: properties.a%2Eb=…, properties.a0=…, properties.a=…, properties.ab=…
    const neighbours: EventShape = { properties: { 'a.b': 'dot', a0: 'zero', ab: 'longer', a: 'short' } };
    const withoutA: EventShape = { properties: { 'a.b': 'dot', a0: 'zero', ab: 'longer' } };
    const onlyBelowA: EventShape = { properties: { a: { c: 'below' } }, traits: { a: 'trait' } };
    const cases: [string, EventShape, string, string | undefined][] = [
      ['the key itself, between longer keys on both sides', neighbours, 'properties.a', 'short'],
      ['a key with an escaped dot', neighbours, 'properties.a%2Eb', 'dot'],
      ['a key that extends it by a letter', neighbours, 'properties.ab', 'longer'],
      ['a key that extends it by a digit (below =)', neighbours, 'properties.a0', 'zero'],
      ['a prefix of a key, not a key', neighbours, 'properties.a%2E', undefined],
      ['the root alone', neighbours, 'properties', undefined],
      ['absent, with its neighbours present', withoutA, 'properties.a', undefined],
      ['absent, with a leaf below it', onlyBelowA, 'properties.a', undefined],
      ['the leaf below', onlyBelowA, 'properties.a.c', 'below'],
      ['the same key under another root', onlyBelowA, 'traits.a', 'trait'],
      ['a value holding =', { properties: { q: 'x=y' } }, 'properties.q', 'x=y'],
      ['a value starting with =', { properties: { q: '=x' } }, 'properties.q', '=x'],
      ['a key holding = (escaped)', { properties: { 'q=r': 1, q: 2 } }, 'properties.q', '2'],
      ['an empty value', { properties: { q: '' } }, 'properties.q', ''],
      ['no props at all', {}, 'properties.q', undefined],
    ];

    it.each(cases)('%s', (_, shape, key, expected) => {
      expect(propValueOf(foldableEvent(shape).props, key)).toBe(expected);
    });

    it('agrees with a linear search by key on random objects of look-alike keys', () => {
      const segments = ['a', 'b', 'a.b', 'ab', 'a0', 'a=b', 'a%', 'a b', '$a', 'a.'];
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return Math.floor((seed / 2 ** 31) * n);
      };
      for (let round = 0; round < 300; round++) {
        const properties: Record<string, unknown> = {};
        for (const segment of segments) {
          const pick = random(4);
          if (pick === 1) properties[segment] = `v${round}`;
          if (pick === 2) properties[segment] = round;
          if (pick === 3) properties[segment] = { [segments[random(segments.length)] as string]: 'deep' };
        }
        const { props, nums } = foldableEvent({ properties });
        const keys = [...props.map((entry) => entry.slice(0, entry.indexOf('='))), 'properties.a', 'properties.zz'];
        for (const key of keys) {
          const linear = props.find((entry) => entry.slice(0, entry.indexOf('=')) === key);
          expect({ key, value: propValueOf(props, key) }).toEqual({
            key,
            value: linear?.slice(key.length + 1),
          });
          expect(numValueOf(nums, key)).toBe(nums.find((num) => num.k === key)?.n);
        }
      }
    });
  });
});

describe('matchesAll', () => {
  const event = foldableEvent({ properties: { plan: 'pro', seats: 3 } });
  const cases: [string, FieldFilter[], boolean][] = [
    ['no filters', [], true],
    ['one that holds', [{ field: 'properties.plan', op: 'eq', value: 'pro' }], true],
    [
      'all hold',
      [
        { field: 'properties.plan', op: 'eq', value: 'pro' },
        { field: 'properties.seats', op: 'gte', value: 3 },
        { field: 'properties.team', op: 'neq', value: 'x' },
      ],
      true,
    ],
    [
      'one fails',
      [
        { field: 'properties.plan', op: 'eq', value: 'pro' },
        { field: 'properties.seats', op: 'gt', value: 3 },
      ],
      false,
    ],
  ];

  it.each(cases)('%s', (_, filters, expected) => {
    expect(matchesAll(event, filters)).toBe(expected);
  });
});
