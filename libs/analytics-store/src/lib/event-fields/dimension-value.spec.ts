import { MAX_DIMENSION_VALUE_LENGTH } from '@tally/event-dimensions';
import { dimensionValueOf } from './dimension-value';

const x = (length: number) => 'x'.repeat(length);
const MAX = MAX_DIMENSION_VALUE_LENGTH;

describe('dimensionValueOf', () => {
  it.each<[string, unknown, string | undefined]>([
    ['a string as it is', 'pro', 'pro'],
    ['an empty string as it is', '', ''],
    ['spaces, "=", "." and "%" as they are', ' a=b.c%2E ', ' a=b.c%2E '],
    ['accents and surrogate pairs as they are', 'été 😀', 'été 😀'],
    ['U+0000 as U+FFFD', 'a\u0000b', 'a\ufffdb'],
    ['every other C0 control as U+FFFD', '\t\n\r\u001f', '\ufffd\ufffd\ufffd\ufffd'],
    [
      'DEL, C1 controls and line separators as they are (only C0 is replaced)',
      '\u007f\u0085\u2028',
      '\u007f\u0085\u2028',
    ],
    ['a lone high surrogate as U+FFFD', 'a\ud800b', 'a\ufffdb'],
    ['a lone low surrogate as U+FFFD', '\udc00', '\ufffd'],
    ['halves in the wrong order as two U+FFFD', '\ude00\ud83d', '\ufffd\ufffd'],
    ['a number as String(n)', 10, '10'],
    ['a numeric string as the same value as the number', '10', '10'],
    ['a fraction as its shortest round-trip text', 0.1 + 0.2, '0.30000000000000004'],
    ['a negative number', -1.5, '-1.5'],
    ['a large number as JavaScript writes it', 1e21, '1e+21'],
    ['-0 as 0', -0, '0'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['no value for NaN', Number.NaN, undefined],
    ['no value for Infinity', Number.POSITIVE_INFINITY, undefined],
    ['no value for -Infinity', Number.NEGATIVE_INFINITY, undefined],
    ['no value for null', null, undefined],
    ['no value for absent', undefined, undefined],
    ['no value for an array', ['a'], undefined],
    ['no value for an object', { toString: () => 'x' }, undefined],
  ])('gives %s', (_, value, expected) => {
    expect(dimensionValueOf(value)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['a long string to the bound', x(10_000), x(MAX)],
    ['a pair ending at the bound as it is', x(MAX - 2) + '😀' + 'y', x(MAX - 2) + '😀'],
    ['a pair across the bound out entirely', x(MAX - 1) + '😀', x(MAX - 1)],
    ['a lone high surrogate at the bound as U+FFFD', x(MAX - 1) + '\ud800' + 'y', x(MAX - 1) + '\ufffd'],
    ['a value with controls, then a pair across the bound', 'a\u0000' + x(MAX - 3) + '😀', 'a\ufffd' + x(MAX - 3)],
    ['controls from a hostile 30 KB value', '\u0000'.repeat(30_000), '\ufffd'.repeat(MAX)],
  ])('cuts %s, never inside a surrogate pair', (_, value, expected) => {
    expect(dimensionValueOf(value)).toBe(expected);
  });
});
