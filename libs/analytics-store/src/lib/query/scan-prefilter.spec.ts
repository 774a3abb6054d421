import type { FieldFilter } from './field-predicate';
import { scanPrefilterOf } from './scan-prefilter';

const window = { startMinute: 100, endMinute: 160 };

describe('scanPrefilterOf', () => {
  const cases: [string, readonly FieldFilter[], readonly string[] | undefined, Record<string, unknown>][] = [
    ['the window alone', [], undefined, {}],
    ['named events', [], ['b', 'a'], { name: { $in: ['a', 'b'] } }],
    [
      'events and an event filter intersected',
      [{ field: 'event', op: 'in', value: ['a', 'c'] }],
      ['a', 'b'],
      { name: 'a' },
    ],
    ['an event filter that leaves nothing', [{ field: 'event', op: 'eq', value: 'c' }], ['a'], { name: { $in: [] } }],
    [
      'eq on a property: numbers and text compare as canonical text',
      [{ field: 'properties.plan', op: 'eq', value: 10 }],
      undefined,
      { $or: [{ v: { $exists: false } }, { props: { $regex: '\\nproperties\\.plan=10\\n' } }] },
    ],
    [
      'in and starts_with together, escaped and anchored',
      [
        { field: '$country', op: 'in', value: ['DE', true] },
        { field: '$path', op: 'starts_with', value: '/a.b(c)' },
      ],
      undefined,
      {
        $or: [
          { v: { $exists: false } },
          {
            $and: [
              { props: { $regex: '\\n\\$country=(?:DE|true)\\n' } },
              { props: { $regex: '\\n\\$path=\\/a\\.b\\(c\\)' } },
            ],
          },
        ],
      },
    ],
    [
      'exists is a prefix of the key',
      [{ field: 'properties.a%2Eb', op: 'exists' }],
      undefined,
      { $or: [{ v: { $exists: false } }, { props: { $regex: '\\nproperties\\.a%2Eb=' } }] },
    ],
    [
      'negations, contains and ranges narrow nothing in the store',
      [
        { field: 'properties.plan', op: 'neq', value: 'free' },
        { field: 'properties.plan', op: 'not_in', value: ['a'] },
        { field: 'properties.plan', op: 'contains', value: 'r' },
        { field: 'properties.revenue', op: 'gte', value: 10 },
      ],
      undefined,
      {},
    ],
  ];

  it.each(cases)('%s', (_, filters, events, expected) => {
    expect(scanPrefilterOf({ ...window, filters, ...(events ? { events } : {}) })).toEqual({
      minute: { $gte: 100, $lt: 160 },
      ...expected,
    });
  });
});
