import { FIELD_ROOTS, MAX_FIELD_KEY_LENGTH, fieldPath, type FieldRoot } from './field-path.codec';

describe('fieldPath.encode', () => {
  it.each<[string, FieldRoot, string[], string | undefined]>([
    ['a plain segment as it is', 'properties', ['plan'], 'properties.plan'],
    ['nested segments joined by "."', 'properties', ['a', 'b'], 'properties.a.b'],
    ['a "." inside a segment as %2E', 'properties', ['a.b'], 'properties.a%2Eb'],
    ['a leading "$" as it is', 'traits', ['$set', '$name'], 'traits.$set.$name'],
    ['"=" as %3D, so the first "=" of an entry ends its key', 'properties', ['a=b'], 'properties.a%3Db'],
    ['"%" as %25, so an escape is never read twice', 'properties', ['100%', '%2E'], 'properties.100%25.%252E'],
    ['U+0000 as %00', 'context', ['a\u0000b'], 'context.a%00b'],
    ['other C0 controls and DEL', 'properties', ['\t\n\r\u001f\u007f'], 'properties.%09%0A%0D%1F%7F'],
    ['C1 controls as their UTF-8', 'properties', ['a\u0085\u009f'], 'properties.a%C2%85%C2%9F'],
    [
      'a lone surrogate as its generalised UTF-8',
      'properties',
      ['\ud800', 'x\udfff'],
      'properties.%ED%A0%80.x%ED%BF%BF',
    ],
    ['a surrogate pair, accents and spaces as they are', 'properties', ['été 😀'], 'properties.été 😀'],
    ['an empty segment as nothing between dots', 'properties', ['', 'a'], 'properties..a'],
    ['no key for no segments', 'properties', [], undefined],
  ])('writes %s', (_, root, segments, key) => {
    expect(fieldPath.encode(root, segments)).toBe(key);
  });

  it(`gives keys of at most ${MAX_FIELD_KEY_LENGTH} characters, escapes included`, () => {
    const room = MAX_FIELD_KEY_LENGTH - 'properties.'.length;
    expect(fieldPath.encode('properties', ['x'.repeat(room)])).toHaveLength(MAX_FIELD_KEY_LENGTH);
    expect(fieldPath.encode('properties', ['x'.repeat(room + 1)])).toBeUndefined();
    expect(fieldPath.encode('properties', ['.'.repeat(room / 3)])).toHaveLength(MAX_FIELD_KEY_LENGTH);
    expect(fieldPath.encode('properties', ['.'.repeat(room / 3 + 1)])).toBeUndefined();
  });
});

describe('fieldPath.decode', () => {
  it.each<[string, string, ReturnType<typeof fieldPath.decode>]>([
    ['a leaf', 'properties.plan', { kind: 'leaf', root: 'properties', segments: ['plan'] }],
    ['escapes', 'traits.a%2Eb.%25%3D%00', { kind: 'leaf', root: 'traits', segments: ['a.b', '%=\u0000'] }],
    [
      'C1 and lone surrogates',
      'context.%C2%85.%ED%B0%80',
      { kind: 'leaf', root: 'context', segments: ['\u0085', '\udc00'] },
    ],
    ['empty segments', 'properties..', { kind: 'leaf', root: 'properties', segments: ['', ''] }],
    ['a standard dimension', '$referrer_host', { kind: 'standard', name: '$referrer_host' }],
  ])('reads %s', (_, key, path) => {
    expect(fieldPath.decode(key)).toEqual(path);
  });

  it.each([
    ['`event`: the counted name, not a key', 'event'],
    ['an unknown standard dimension', '$plan'],
    ['a root alone', 'properties'],
    ['an unknown root', 'props.plan'],
    ['a raw "="', 'properties.a=b'],
    ['a raw control character', 'properties.a\u0000'],
    ['a raw lone surrogate', 'properties.\ud800'],
    ['an escape of a character that needs none', 'properties.%41'],
    ['lower-case hex', 'properties.a%2eb'],
    ['a cut-off escape', 'properties.a%2'],
    ['a "%" on its own', 'properties.100%'],
    ['a cut-off UTF-8 sequence', 'properties.%C2'],
    ['an overlong UTF-8 "."', 'properties.%C0%AE'],
    ['an escaped surrogate pair (a pair is never escaped)', 'properties.%ED%A0%BD%ED%B8%80'],
    ['an escaped high surrogate before a raw low one', 'properties.%ED%A0%BD\ude00'],
    ['four-byte UTF-8 (only pairs are astral, and they are never escaped)', 'properties.%F0%9F%98%80'],
    ['a key over the bound', `properties.${'x'.repeat(MAX_FIELD_KEY_LENGTH)}`],
  ])('refuses %s', (_, key) => {
    expect(fieldPath.decode(key)).toBeUndefined();
  });
});

describe('fieldPath round trip', () => {
  /** Characters that exercise every rule: escaped ones, look-alikes of escapes, surrogate halves and pairs. */
  const ALPHABET = ['a', 'Z', '2', 'E', '.', '%', '=', '$', ' ', '\u0000', '\u001f', '\u007f', '\u0085', 'é', '\u2028'];
  const HALVES = ['\ud83d', '\ude00'];

  /** mulberry32: the same segments on every run, so a failure can be replayed. */
  function randomSource(seed: number): (below: number) => number {
    let state = seed;
    return (below) => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
    };
  }

  const random = randomSource(18);
  const randomSegment = () => {
    let segment = '';
    for (let length = random(6); length > 0; length--) {
      segment += random(5) === 0 ? HALVES[random(2)] : ALPHABET[random(ALPHABET.length)];
    }
    return segment;
  };
  const cases = Array.from({ length: 5_000 }, () => ({
    root: FIELD_ROOTS[random(FIELD_ROOTS.length)] as FieldRoot,
    segments: Array.from({ length: 1 + random(4) }, randomSegment),
  }));
  const isWellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  const UNSAFE_IN_KEYS = /[=\u0000-\u001f\u007f-\u009f]/;

  it('decodes every key to the segments it was encoded from, and no two segment lists share a key', () => {
    const namedByKey = new Map<string, string>();
    const wrong = cases.filter(({ root, segments }) => {
      const key = fieldPath.encode(root, segments);
      if (key === undefined) return true;
      const named = JSON.stringify([root, segments]);
      const collides = (namedByKey.get(key) ?? named) !== named;
      namedByKey.set(key, named);
      return collides || JSON.stringify(fieldPath.decode(key)) !== JSON.stringify({ kind: 'leaf', root, segments });
    });
    expect(wrong).toEqual([]);
  });

  it('gives keys that split at every "." and hold no "=", control character or lone surrogate', () => {
    const wrong = cases.filter(({ root, segments }) => {
      const key = fieldPath.encode(root, segments) as string;
      return key.split('.').length !== segments.length + 1 || UNSAFE_IN_KEYS.test(key) || !isWellFormed(key);
    });
    expect(wrong).toEqual([]);
  });

  it('spells well-formed segments so that decodeURIComponent reads them back', () => {
    const wrong = cases.filter(({ root, segments }) => {
      const parts = (fieldPath.encode(root, segments) as string).split('.').slice(1);
      return segments.some((segment, i) => isWellFormed(segment) && decodeURIComponent(parts[i] as string) !== segment);
    });
    expect(wrong).toEqual([]);
  });
});
