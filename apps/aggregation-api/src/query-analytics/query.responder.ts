import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedTenant } from '@tally/tenancy';
import type { MinuteWindow } from './analytics-query.service';
import { QueryCache, etagOf, matchesEtag } from './query-cache';
import { isSettled } from './settled-rollups.cache';
import { QueryMetrics } from './query.metrics';
import { QuerySlots } from './query-slots.limiter';

export interface QueryContext {
  readonly tenant: ResolvedTenant;
  /** A bounded name for metrics and the cache key. */
  readonly route: string;
  /** The normalised query: what makes two requests the same question. */
  readonly key: Readonly<Record<string, string | number | null>>;
  readonly window: MinuteWindow;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Slots free up as answers finish, within a second or two; a client should not wait longer. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Sends an answer through the cache: `X-Cache: hit|miss`, a strong `ETag`, and 304 when
 * `If-None-Match` matches. Closed windows (ended before the previous minute) are cached
 * long; windows that include recent minutes only briefly. An answer that must be computed
 * takes one of the tenant's slots on this replica (QuerySlots) while it is; with none free,
 * 429 and `Retry-After`. Cached answers need no slot.
 */
@Injectable()
export class QueryResponder {
  constructor(
    private readonly cache: QueryCache,
    private readonly metrics: QueryMetrics,
    @Inject(QuerySlots) private readonly slots: QuerySlots,
  ) {}

  async respond(context: QueryContext, compute: () => Promise<unknown>): Promise<void> {
    const { tenant, route, window, request, reply } = context;
    const stopTimer = this.metrics.duration.startTimer({ route });
    const query = `${route}?${JSON.stringify(Object.entries(context.key).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    const { hit, late } = await this.cache.get(tenant.tenantId, query);
    let answer = hit;
    if (!answer) {
      const giveBack = this.slots.take(tenant.tenantId);
      if (!giveBack) {
        this.metrics.overConcurrency.inc({ route });
        void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
        throw new HttpException(
          `too many of this tenant's queries are being computed at once (at most ${this.slots.maxPerTenant} per replica); retry after the time in Retry-After`,
          429,
        );
      }
      let body: string;
      try {
        body = JSON.stringify(await compute());
      } finally {
        giveBack();
      }
      answer = { body, etag: etagOf(body) };
      await this.cache.put(tenant.tenantId, query, answer, late, isClosed(window, Date.now()));
    }
    const result = hit ? 'hit' : 'miss';
    this.metrics.cache.inc({ result });
    void reply.header('X-Cache', result).header('ETag', answer.etag).header('Cache-Control', 'private, no-cache');
    if (matchesEtag(request.headers['if-none-match'], answer.etag)) {
      await reply.status(304).send();
    } else {
      await reply.status(200).type('application/json; charset=utf-8').send(answer.body);
    }
    stopTimer({ cache: result });
  }
}

/**
 * Whether no event the worker applies from now on can change the window without being
 * counted as a late write: it ended two minutes ago or more (one minute of margin for
 * clocks that differ between the worker and this replica).
 */
export const isClosed = (window: MinuteWindow, nowMs: number): boolean => isSettled(window.end, nowMs);
