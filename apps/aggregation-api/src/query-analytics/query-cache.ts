import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { rollupKeys } from '@tally/analytics-store';
import { REDIS_CLIENT } from '@tally/redis';
import { tenantKey, type TenantId } from '@tally/tenant-scope';

export const QUERY_CACHE_OPTIONS = Symbol('QUERY_CACHE_OPTIONS');

export interface QueryCacheOptions {
  /** Answers about windows that ended before the previous minute: they change only with late events. */
  readonly closedTtlSeconds: number;
  /** Answers that include the open minute: they change every second. */
  readonly openTtlMs: number;
}

export interface CachedAnswer {
  readonly body: string;
  readonly etag: string;
}

interface StoredAnswer extends CachedAnswer {
  /** The tenant's late-write counter when the answer was computed. */
  readonly late: string;
}

/**
 * Answers cached in Redis per tenant and normalised query. An entry carries the
 * tenant's late-write counter: a late event bumps it (the worker does), which makes
 * every cached answer of that tenant stale at once, closed windows included.
 */
@Injectable()
export class QueryCache {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(QUERY_CACHE_OPTIONS) private readonly options: QueryCacheOptions,
  ) {}

  /** The cached answer, if any and still current; and the counter to store a fresh one with. */
  async get(tenantId: TenantId, query: string): Promise<{ hit: CachedAnswer | undefined; late: string }> {
    const [late, raw] = await this.redis.mget(rollupKeys.lateWrites(tenantId), this.keyOf(tenantId, query));
    const lateNow = late ?? '0';
    if (!raw) return { hit: undefined, late: lateNow };
    const stored = JSON.parse(raw) as StoredAnswer;
    return { hit: stored.late === lateNow ? { body: stored.body, etag: stored.etag } : undefined, late: lateNow };
  }

  async put(tenantId: TenantId, query: string, answer: CachedAnswer, late: string, closed: boolean): Promise<void> {
    const ttlMs = closed ? this.options.closedTtlSeconds * 1000 : this.options.openTtlMs;
    const stored: StoredAnswer = { ...answer, late };
    await this.redis.set(this.keyOf(tenantId, query), JSON.stringify(stored), 'PX', ttlMs);
  }

  private keyOf(tenantId: TenantId, query: string): string {
    return tenantKey(tenantId, 'qcache', createHash('sha1').update(query).digest('base64url'));
  }
}

/** A strong ETag of an answer body. */
export const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** Whether an `If-None-Match` header matches the ETag (weak comparison, as for GET). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
