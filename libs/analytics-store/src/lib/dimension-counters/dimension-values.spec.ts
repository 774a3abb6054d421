import { newTenantId } from '@tally/tenant-scope';
import { OTHER_EVENT_NAME } from '../counted-name';
import type { AnalyticsSettingsDocument } from '../settings/analytics-settings.document';
import { COUNTED_STANDARD_DIMENSIONS, NOTHING_COUNTED, countedFieldsAt } from './counted-fields';
import { NONE_VALUE, OTHER_VALUE, measureMicrosOf } from './dimension-keys';
import { admittedDimensionsOf, dimensionValuesOf } from './dimension-values';

const at = (s: number) => new Date(s * 1000);
const settings = (overrides: Partial<AnalyticsSettingsDocument> = {}): AnalyticsSettingsDocument => ({
  _id: 't:1',
  tenantId: newTenantId(),
  version: 1,
  dimensions: [],
  measures: [],
  updatedAt: at(0),
  ...overrides,
});

describe('countedFieldsAt', () => {
  const declared = settings({
    standard: { countedSince: at(100) },
    dimensions: [
      { field: 'properties.plan', countedSince: at(200) },
      { field: 'properties.old', countedSince: at(50), countedUntil: at(300) },
    ],
    measures: [{ field: 'properties.revenue', countedSince: at(200) }],
  });

  it.each([
    ['only what had started', 99, ['properties.old'], []],
    ['the standard dimensions from their countedSince', 100, [...COUNTED_STANDARD_DIMENSIONS, 'properties.old'], []],
    [
      'a declaration from its countedSince, inclusive',
      200,
      [...COUNTED_STANDARD_DIMENSIONS, 'properties.plan', 'properties.old'],
      ['properties.revenue'],
    ],
    [
      'an ended declaration up to its countedUntil, exclusive',
      300,
      [...COUNTED_STANDARD_DIMENSIONS, 'properties.plan'],
      ['properties.revenue'],
    ],
  ])('counts %s', (_, receivedAtS, dimensions, measures) => {
    const counted = countedFieldsAt(declared, receivedAtS * 1000);
    expect(counted).toEqual({ dimensions, measures });
  });

  it('counts nothing for a tenant whose standard dimensions never started and who declared nothing', () => {
    expect(countedFieldsAt(settings(), Date.now())).toBe(NOTHING_COUNTED);
  });

  it('leaves event out of the standard dimensions: the name counters count it', () => {
    expect(COUNTED_STANDARD_DIMENSIONS).not.toContain('event');
    expect(COUNTED_STANDARD_DIMENSIONS).toContain('$country');
  });
});

describe('dimensionValuesOf', () => {
  const fields = {
    props: ['$country=DE', 'properties.a%2Eb=dotted', 'properties.plan=pro', 'properties.revenue=19.99'].sort(),
    nums: [
      { k: 'properties.huge', n: 2e9 },
      { k: 'properties.revenue', n: 19.99 },
    ],
  };

  it('reads each value from the stored entries, (none) where the event has none', () => {
    const counted = { dimensions: ['$country', 'properties.plan', 'properties.a.b', 'properties.a%2Eb'], measures: [] };
    expect(dimensionValuesOf('Purchase', fields, counted).values).toEqual([
      ['$country', 'DE'],
      ['properties.plan', 'pro'],
      ['properties.a.b', NONE_VALUE],
      ['properties.a%2Eb', 'dotted'],
    ]);
  });

  it('counts measures the event holds as JSON numbers, and leaves out what is too large to sum exactly', () => {
    const counted = { dimensions: [], measures: ['properties.revenue', 'properties.huge', 'properties.plan'] };
    expect(dimensionValuesOf('Purchase', fields, counted).measures).toEqual([
      { measure: 'properties.revenue', n: 19.99, micros: 19_990_000 },
    ]);
  });

  it('counts what admission refused as (other), and (none) without asking', () => {
    const dims = dimensionValuesOf('Purchase', fields, { dimensions: ['$country', 'properties.x'], measures: [] });
    const asked: string[] = [];
    const admitted = admittedDimensionsOf(dims, false, (d, name, v) => {
      asked.push(`${d}|${name}|${v}`);
      return false;
    });
    expect(admitted).toEqual({
      name: OTHER_EVENT_NAME,
      values: [
        ['$country', OTHER_VALUE],
        ['properties.x', NONE_VALUE],
      ],
      measures: [],
    });
    expect(asked).toEqual([`$country|${OTHER_EVENT_NAME}|DE`]);
  });
});

describe('measureMicrosOf', () => {
  it.each([
    [19.99, 19_990_000],
    [-0.0000004, -0],
    [1e9, 1e15],
    [1e9 + 1, undefined],
    [Number.NaN, undefined],
  ])('%p → %p', (n, micros) => {
    expect(measureMicrosOf(n)).toBe(micros);
  });
});
