import { randomBytes } from 'node:crypto';

declare const tenantIdBrand: unique symbol;

/**
 * A tenant id that came from a resolved key or a validated admin request. Data-access
 * helpers take this type, not `string`, so an unscoped query does not compile: the
 * only ways to get one are `newTenantId()` and `parseTenantId()`.
 */
export type TenantId = string & { readonly [tenantIdBrand]: true };

const TENANT_ID = /^t_[a-z2-7]{20}$/;

export function newTenantId(): TenantId {
  return `t_${base32(randomBytes(13)).slice(0, 20)}` as TenantId;
}

/** Returns the id when it has the shape of one, otherwise undefined. */
export function parseTenantId(raw: unknown): TenantId | undefined {
  return typeof raw === 'string' && TENANT_ID.test(raw) ? (raw as TenantId) : undefined;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
