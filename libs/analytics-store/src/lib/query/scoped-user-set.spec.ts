import { ScopedUserSet, hashUserKey } from './scoped-user-set';

const hashOf = (key: string): [number, number] => {
  const out = new Uint32Array(2);
  hashUserKey(key, out);
  return [out[0] as number, out[1] as number];
};

describe('hashUserKey', () => {
  it('is the same for the same key, and differs for keys that differ by one character', () => {
    expect(hashOf('u:42')).toEqual(hashOf('u:42'));
    expect(hashOf('u:42')).not.toEqual(hashOf('u:43'));
    expect(hashOf('u:42')).not.toEqual(hashOf('a:42'));
    expect(hashOf('')).not.toEqual(hashOf('\u0000'));
  });

  it('gives 200,000 similar keys 200,000 hashes', () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 200_000; i++) hashes.add(hashOf(`u:${i}`).join(','));
    expect(hashes.size).toBe(200_000);
  });
});

describe('ScopedUserSet', () => {
  it('holds each (scope, user) pair once, through growth, as a Set of their texts does', () => {
    const set = new ScopedUserSet(8);
    const texts = new Set<string>();
    let seed = 3;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const scope = seed % 50;
      const [high, low] = hashOf(`u:${seed % 20_000}`);
      const text = `${scope}|${high}|${low}`;
      expect(set.add(scope, high, low)).toBe(!texts.has(text));
      texts.add(text);
    }
    expect(set.size).toBe(texts.size);
  });

  it('tells a user in two scopes from two users in one', () => {
    const set = new ScopedUserSet();
    const [high, low] = hashOf('u:1');
    expect([set.add(0, high, low), set.add(1, high, low), set.add(0, high, low)]).toEqual([true, true, false]);
    expect(set.add(0, high, low ^ 1)).toBe(true);
    expect(set.add(0, 0, 0)).toBe(true); // a zero hash is a hash, not a free slot
    expect(set.add(0, 0, 0)).toBe(false);
    expect(set.size).toBe(4);
  });

  it('costs 16 to 32 bytes an entry: 12 a slot, kept between three eighths and three quarters full', () => {
    const set = new ScopedUserSet(8);
    for (let i = 0; i < 10_000; i++) set.add(0, ...hashOf(`u:${i}`));
    expect(set.bytes / set.size).toBeGreaterThanOrEqual(16);
    expect(set.bytes / set.size).toBeLessThanOrEqual(32);
  });
});
