/**
 * The longest value a standard dimension takes, in UTF-16 code units. Values are counted
 * per bucket, keyed in Redis and shown in the dashboard: a bound keeps a tenant's huge
 * `utm_campaign` from becoming a huge key, and 200 is more than any real path, host, or
 * campaign name needs to stay told apart.
 */
export const MAX_DIMENSION_VALUE_LENGTH = 200;

/** Printable ASCII with no space at either end: most values, taken as they are. */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * C0 and C1 controls and the line and paragraph separators: they would break a line in a
 * log or a table cell in the dashboard, so they become spaces.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Bidirectional formatting characters: invisible, they reorder what is shown around them,
 * so `gro.elgoog` could read as `google.org` in a breakdown. Removed.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `String.prototype.toWellFormed` (Node 20), which TypeScript's es2023 library does not declare. */
const toWellFormed = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();

/**
 * A value as a standard dimension holds it, or `undefined` when there is none: a string
 * (or a finite number, as text) without control or bidirectional characters, trimmed,
 * at most `MAX_DIMENSION_VALUE_LENGTH` long, cut on a code-point boundary. An empty
 * result is no value, so a dimension is absent rather than `""`.
 *
 * Lone surrogates cannot come from a validated event (the contract refuses them), but a
 * decoded URL query (`%ED%A0%80`) or a parser's output could carry one; each becomes
 * U+FFFD, so a value always encodes as UTF-8.
 *
 * Stricter than the canonical form of property values (0009's `dimensionValueOf`: C0
 * controls to U+FFFD, cut to 200), which therefore leaves these values as they are: a
 * standard dimension compares equal on the counter and the scan paths.
 */
export function boundedTextOf(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  if (text.length <= MAX_DIMENSION_VALUE_LENGTH && PLAIN.test(text)) return text;
  // Cut first, so the work on a hostile 30 KB string is bounded too; leave room for what cleaning removes.
  const cleaned = toWellFormed(cutAt(text, 4 * MAX_DIMENSION_VALUE_LENGTH))
    .replace(LINE_BREAKING, ' ')
    .replace(BIDI_CONTROLS, '')
    .trim();
  const bounded = cutAt(cleaned, MAX_DIMENSION_VALUE_LENGTH).trimEnd();
  return bounded === '' ? undefined : bounded;
}

/** The first `max` code units of `text`, one fewer when the last would be the first half of a surrogate pair. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
