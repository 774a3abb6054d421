import { MAX_DIMENSION_VALUE_LENGTH, cutAt, boundedTextOf } from './bounded-text.util';

describe('boundedTextOf', () => {
  it.each<[string, unknown, string | undefined]>([
    ['plain text as it is', '/pricing', '/pricing'],
    ['text with accents and emoji as it is', 'été 😀', 'été 😀'],
    ['a finite number as text', 42.5, '42.5'],
    ['no value for NaN', Number.NaN, undefined],
    ['no value for an empty string', '', undefined],
    ['no value for blanks and controls only', ' \t\u0000\n ', undefined],
    ['no value for a boolean', true, undefined],
    ['no value for null', null, undefined],
    ['no value for an object', { toString: () => 'x' }, undefined],
    ['trimmed text', '  spring  ', 'spring'],
    ['line breaks and controls as spaces', 'a\nb\u0085c\u2028d', 'a b c d'],
    ['no bidirectional controls', '\u2066abc\u2069\u200f', 'abc'],
    ['U+FFFD for a lone surrogate', 'a\ud800b', 'a\ufffdb'],
  ])('gives %s', (_, value, expected) => {
    expect(boundedTextOf(value)).toBe(expected);
  });

  it('cuts long text to the bound on a code-point boundary', () => {
    expect(boundedTextOf('x'.repeat(10_000))).toBe('x'.repeat(MAX_DIMENSION_VALUE_LENGTH));
    const emojiAcrossTheBound = 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) + '😀';
    expect(boundedTextOf(emojiAcrossTheBound)).toBe('x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1));
  });

  it('does not end a cut value with a space', () => {
    expect(boundedTextOf('x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) + ' yz')).toBe(
      'x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1),
    );
  });
});

describe('cutAt', () => {
  it('never splits a surrogate pair', () => {
    expect(cutAt('ab😀', 3)).toBe('ab');
    expect(cutAt('ab😀', 4)).toBe('ab😀');
    expect(cutAt('abc', 5)).toBe('abc');
  });
});
