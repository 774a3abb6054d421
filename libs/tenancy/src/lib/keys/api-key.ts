import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyScope } from '@tally/contracts';

const PREFIX: Record<KeyScope, string> = { write: 'tly_w_', read: 'tly_r_' };

/**
 * A new key: 256 random bits, base64url, with a scope prefix so a leaked key is
 * recognisable (and secret scanners can match it). Shown once, stored only as a hash.
 */
export function newApiKey(scope: KeyScope): string {
  return `${PREFIX[scope]}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of the key. The keys carry 256 bits of entropy, so a slow password hash
 * would add latency to every request without adding safety; the hash is also the
 * lookup key, so resolution is one indexed read.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The first characters, enough for a person to tell keys apart in a list. */
export const displayPrefixOf = (key: string): string => `${key.slice(0, 10)}…`;

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
