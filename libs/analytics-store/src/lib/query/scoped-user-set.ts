/**
 * The 64-bit hash of a user key, as two 32-bit halves written into `out` (high, low):
 * cyrb53's two multiply-xorshift lanes, both kept whole rather than cut to 53 bits.
 * Not cryptographic, and it need not be: the keys are the tenant's own, and what a
 * collision costs is one user counted once where two were. With 2⁶⁴ values, a million
 * distinct users collide with a chance of about 3·10⁻⁸.
 */
export function hashUserKey(key: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h2;
  out[1] = h1;
}

/** Entries per slot: the hash's two halves, and the scope plus one (0 marks a free slot). */
const STRIDE = 3;
/** Grown (doubled) past three quarters full: linear probing stays short, and an entry costs 16–32 bytes. */
const MAX_LOAD = 0.75;

/**
 * A set of (scope, user hash) pairs in one open-addressing table over a `Uint32Array`:
 * the distinct users of every row, combination and total of a scan, each a scope.
 * One table, not one per scope, because most rows of a long series hold a few users, and
 * a typed array per row would cost more in headers than in entries. `size` is every
 * pair held, which is what the scan's user bound limits.
 */
export class ScopedUserSet {
  private slots: Uint32Array;
  private mask: number;
  private held = 0;

  constructor(initialSlots = 1_024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(initialSlots, 8)));
    this.slots = new Uint32Array(slots * STRIDE);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.held;
  }

  /** The bytes the table holds. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Adds the pair; says whether it was new. `scope` is a whole number below 2³² − 1. */
  add(scope: number, high: number, low: number): boolean {
    const slots = this.slots;
    const tag = scope + 1;
    let i = (low ^ Math.imul(tag, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const occupant = slots[at + 2];
      if (occupant === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        slots[at + 2] = tag;
        if (++this.held > (this.mask + 1) * MAX_LOAD) this.grow();
        return true;
      }
      if (occupant === tag && slots[at] === high >>> 0 && slots[at + 1] === low >>> 0) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length / STRIDE - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      const tag = old[at + 2] as number;
      if (tag === 0) continue;
      const low = old[at + 1] as number;
      let i = (low ^ Math.imul(tag, 0x9e3779b1)) & mask;
      while (slots[i * STRIDE + 2] !== 0) i = (i + 1) & mask;
      slots[i * STRIDE] = old[at] as number;
      slots[i * STRIDE + 1] = low;
      slots[i * STRIDE + 2] = tag;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
