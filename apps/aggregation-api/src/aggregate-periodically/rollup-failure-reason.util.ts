import {
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
} from 'mongodb';

/** Why rolling up one tenant failed, as a bounded metric label. */
export type RollupFailureReason = 'store_unavailable' | 'document_too_large' | 'other';

/** ioredis's errors while Redis cannot be reached carry only a message or a socket error code. */
const REDIS_UNAVAILABLE = /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * Sorts a failure: `store_unavailable` is not the tenant's doing (every tenant would fail
 * the same way, so the run stops and the next one retries); anything else is this
 * tenant's alone, and the run goes on with the others.
 */
export function rollupFailureReason(error: unknown): RollupFailureReason {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError
  ) {
    return 'store_unavailable';
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'store_unavailable';
    if (REDIS_UNAVAILABLE.test(error.message)) return 'store_unavailable';
    // The driver refuses a document over 16 MB before sending it; a server says BSONObjectTooLarge (10334).
    if (error instanceof MongoInvalidArgumentError && /larger than the maximum size/.test(error.message)) {
      return 'document_too_large';
    }
    if (code === 10334) return 'document_too_large';
  }
  return 'other';
}
