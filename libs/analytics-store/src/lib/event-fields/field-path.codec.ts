import { STANDARD_DIMENSIONS, type StandardDimension } from '@tally/event-dimensions';

/**
 * The parts of an event whose leaves are stored as `props` (0009, section 1). Property
 * keys are values in those strings, never MongoDB field names, so a `.` or a leading `$`
 * in a tenant's key needs no field-name escaping.
 */
export const FIELD_ROOTS = ['properties', 'traits', 'context'] as const;
export type FieldRoot = (typeof FIELD_ROOTS)[number];

/** The standard dimensions that are keys of `props`: all but `event`, which is the document's `name`. */
export type StandardDimensionKey = Exclude<StandardDimension, 'event'>;

/**
 * The longest key, in UTF-16 code units, root and escapes included. With a value of at
 * most 200 a `props` entry stays under 401 characters, which bounds a document and an
 * index entry (0009).
 */
export const MAX_FIELD_KEY_LENGTH = 200;

/** What a key names: a leaf under a root, by its segments as the event spelled them, or a standard dimension. */
export type FieldPath =
  | { readonly kind: 'leaf'; readonly root: FieldRoot; readonly segments: readonly string[] }
  | { readonly kind: 'standard'; readonly name: StandardDimensionKey };

/**
 * The one spelling of field keys, for `props` entries and for the fields a query names.
 * A key is a root and segments joined by `.` (`properties.plan`), or a standard
 * dimension (`$path`). In a segment, `.`, `%`, `=`, control characters (C0, DEL, C1)
 * and lone surrogates are percent-encoded as the (generalised) UTF-8 of the code unit,
 * upper-case: `properties["a.b"]` is `properties.a%2Eb`, while `properties.a.b` stays
 * itself. So a key splits back at every `.`, the first `=` of an entry always ends its
 * key, a stored key holds no control character and is valid UTF-8 (MongoDB would turn a
 * lone surrogate into U+FFFD, merging two keys), and for well-formed text
 * `decodeURIComponent` of a segment gives it back. Every other character — a leading
 * `$` too — is itself.
 *
 * This is the only code that builds or splits keys.
 */
export const fieldPath = {
  /** The key of a leaf, or `undefined` for no segments or a key longer than `MAX_FIELD_KEY_LENGTH`. */
  encode(root: FieldRoot, segments: readonly string[]): string | undefined {
    if (segments.length === 0) return undefined;
    let key: string = root;
    for (const segment of segments) {
      key = fieldPath.append(key, segment);
      if (key.length > MAX_FIELD_KEY_LENGTH) return undefined;
    }
    return key;
  },

  /**
   * The key one segment below `key`, unbounded: for walking an event, where building
   * each parent's key once is what keeps a leaf cheap. The walker checks the bound.
   */
  append(key: string, segment: string): string {
    return `${key}.${encodeSegment(segment)}`;
  },

  /**
   * What a key names, or `undefined` when it is not a key this codec would have built:
   * an unknown root or dimension, no segment, a raw `=` or control character, an escape
   * of a character that needs none, lower-case hex, or longer than the bound. So decoding
   * and encoding are inverse on every key, and two spellings never name one field.
   */
  decode(key: string): FieldPath | undefined {
    if (key.length > MAX_FIELD_KEY_LENGTH) return undefined;
    if (key.startsWith('$')) {
      return STANDARD_KEYS.has(key) ? { kind: 'standard', name: key as StandardDimensionKey } : undefined;
    }
    const parts = key.split('.');
    const root = parts[0] as FieldRoot;
    if (parts.length < 2 || !ROOTS.has(root)) return undefined;
    const segments: string[] = [];
    for (let i = 1; i < parts.length; i++) {
      const segment = decodeSegment(parts[i] as string);
      if (segment === undefined) return undefined;
      segments.push(segment);
    }
    return { kind: 'leaf', root, segments };
  },
} as const;

const ROOTS: ReadonlySet<string> = new Set(FIELD_ROOTS);
const STANDARD_KEYS: ReadonlySet<string> = new Set(STANDARD_DIMENSIONS.filter((name) => name !== 'event'));

// Local, not imported: these run per code unit, and a call into another module is not
// always inlined (through tsx's export getters it cost several times the scan).
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const isSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;

/** Code units escaped wherever they stand (a surrogate only when it is not half of a pair). */
const isEscaped = (c: number) =>
  c < 0x20 || c === 0x25 || c === 0x2e || c === 0x3d || (c >= 0x7f && c <= 0x9f) || isSurrogate(c);

/** `%00` … `%FF`. */
const PERCENT_BYTE = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** One code unit as percent-encoded UTF-8 (three bytes for a lone surrogate, as WTF-8 writes it). */
function percentEncoded(c: number): string {
  if (c < 0x80) return PERCENT_BYTE[c] as string;
  if (c < 0x800) return (PERCENT_BYTE[0xc0 | (c >> 6)] as string) + PERCENT_BYTE[0x80 | (c & 0x3f)];
  return (
    (PERCENT_BYTE[0xe0 | (c >> 12)] as string) +
    PERCENT_BYTE[0x80 | ((c >> 6) & 0x3f)] +
    PERCENT_BYTE[0x80 | (c & 0x3f)]
  );
}

/**
 * A segment as keys spell it. Runs once per object key of every stored event, so the
 * usual segment (nothing to escape) costs one scan and no allocation.
 */
function encodeSegment(segment: string): string {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (!isEscaped(c)) continue;
    if (isHighSurrogate(c) && isLowSurrogate(segment.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    return escapedFrom(segment, i);
  }
  return segment;
}

function escapedFrom(segment: string, first: number): string {
  let encoded = segment.slice(0, first);
  for (let i = first; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (isHighSurrogate(c) && isLowSurrogate(segment.charCodeAt(i + 1))) {
      encoded += segment.slice(i, i + 2);
      i++;
    } else {
      encoded += isEscaped(c) ? percentEncoded(c) : segment[i];
    }
  }
  return encoded;
}

/** The segment a part of a key spells, if the encoder would spell it so. */
function decodeSegment(part: string): string | undefined {
  if (!part.includes('%')) return encodeSegment(part) === part ? part : undefined;
  let decoded = '';
  for (let i = 0; i < part.length;) {
    if (part.charCodeAt(i) !== 0x25) {
      decoded += part[i];
      i++;
      continue;
    }
    const lead = hexByteAt(part, i);
    if (lead < 0) return undefined;
    const length = lead < 0x80 ? 1 : lead >= 0xc0 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : 0;
    if (length === 0) return undefined;
    let c = length === 1 ? lead : lead & (length === 2 ? 0x1f : 0x0f);
    for (let k = 1; k < length; k++) {
      const next = hexByteAt(part, i + 3 * k);
      if (next < 0x80 || next >= 0xc0) return undefined;
      c = (c << 6) | (next & 0x3f);
    }
    decoded += String.fromCharCode(c);
    i += 3 * length;
  }
  // Only the encoder's own spelling is a key: `%41`, `%c2%80`, `%ED%A0%80%ED%B0%80` (a
  // pair, which is never escaped) or a raw `=` would otherwise be a second name.
  return encodeSegment(decoded) === part ? decoded : undefined;
}

/** The byte `%XX` at `i` spells (upper-case hex only), or -1. */
function hexByteAt(text: string, i: number): number {
  if (i + 2 >= text.length || text.charCodeAt(i) !== 0x25) return -1;
  const high = hexDigit(text.charCodeAt(i + 1));
  const low = hexDigit(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

const hexDigit = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);
