import { MAX_DIMENSION_VALUE_LENGTH } from '@tally/event-dimensions';

/**
 * The canonical text of a JSON value as `props`, the counters, the rollups, the scan and
 * the filters all compare it (0009, section 1), or `undefined` when it has none:
 *
 * - a string is itself, C0 control characters (U+0000 included, which FerretDB's
 *   PostgreSQL cannot store) as U+FFFD, cut to `MAX_DIMENSION_VALUE_LENGTH` code units,
 *   never between the halves of a surrogate pair. A lone surrogate, which the contract
 *   refuses, becomes U+FFFD too: MongoDB's driver would store it so, and the value the
 *   worker counts must be the one the document holds;
 * - a finite number is `String(n)`: the shortest text that reads back as `n`, `-0` as `0`
 *   (so `10` and `"10"` are one value; only range filters and measures tell them apart);
 * - a boolean is `true` or `false`;
 * - `null`, `undefined`, a non-finite number, an array or an object is no value.
 *
 * The standard dimensions (0008) are stricter already, so this leaves them unchanged.
 */
export function dimensionValueOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return canonicalTextOf(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return undefined;
  }
}

const REPLACEMENT = '\ufffd';

// Local, not imported: these run per code unit, and a call into another module is not
// always inlined (through tsx's export getters it cost several times the scan).
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const isSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;

/**
 * What a canonical value may not hold: C0 controls and surrogates (pairs are told apart
 * from lone halves by the slow path). A compiled regex test, with no match object, scans
 * faster than a `charCodeAt` loop in V8 (docs/benchmarks.md, event fields).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const MAYBE_UNCLEAN = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * Runs for every string leaf of every stored event: the usual value (printable, no
 * emoji) is its first `MAX_DIMENSION_VALUE_LENGTH` code units after one scan of them
 * (a slice shares the original's characters). With no surrogate in them, the cut cannot
 * split a pair. Any other value is cut and cleaned in one pass over that much of it.
 */
function canonicalTextOf(text: string): string {
  const cut = text.length <= MAX_DIMENSION_VALUE_LENGTH ? text : text.slice(0, MAX_DIMENSION_VALUE_LENGTH);
  return MAYBE_UNCLEAN.test(cut) ? cleanedUpTo(text, cut.length) : cut;
}

/**
 * `text` cut to `end` code units (one fewer rather than half a pair) and cleaned. Each
 * replacement is one code unit for one, so the cut falls where it would on the original.
 */
function cleanedUpTo(text: string, end: number): string {
  let clean = '';
  let from = 0; // where the run of code units taken as they are begins
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && !isSurrogate(c)) continue;
    if (isHighSurrogate(c) && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A pair whose second half is past the bound is left out whole.
      if (i + 1 === end) return clean + text.slice(from, i);
      i++;
      continue;
    }
    clean += text.slice(from, i) + REPLACEMENT;
    from = i + 1;
  }
  return clean + text.slice(from, end);
}
