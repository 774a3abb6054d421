import { Body, Controller, HttpException, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { analyticsQueryV1Schema, type AnalyticsQueryV1 } from '@tally/contracts';
import { ZodValidationPipe } from '@tally/service-runtime';
import { CurrentTenant, RateLimiter, ReadKeyGuard, rateLimitHeaders, type ResolvedTenant } from '@tally/tenancy';
import { QueryQuotaGuard, queryQuotaOf } from '../query-quota.guard';
import { QueryResponder } from '../query.responder';
import { QueryV1Service } from './query-v1.service';
import { ScanSlotsFull } from './scan-slots';

const schema = analyticsQueryV1Schema();

/**
 * `POST /v1/query`: one question of events, uniques and measures, broken down and
 * filtered by event fields (decision 0009, section 5). Validated (400 naming the field),
 * planned before anything is read, answered through the same cache and per-tenant
 * concurrency slots as the GET routes. A scan costs more of the tenant's query quota
 * than a counter answer, and only when it is not answered from the cache.
 */
@Controller()
@UseGuards(ReadKeyGuard, QueryQuotaGuard)
export class QueryV1Controller {
  constructor(
    private readonly questions: QueryV1Service,
    private readonly responder: QueryResponder,
    private readonly quotas: RateLimiter,
  ) {}

  @Post('v1/query')
  async query(
    @Body(new ZodValidationPipe(schema, 'body')) query: AnalyticsQueryV1,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const plan = this.questions.plan(query);
    const window = { start: query.startMinute, end: query.endMinute };
    const key = { question: cacheKeyOf(query) };
    await this.responder.respond({ tenant, route: 'query', key, window, request, reply }, async () => {
      try {
        return await this.questions.answer(tenant.tenantId, query, plan, () => this.chargeScan(tenant, reply));
      } catch (error) {
        if (!(error instanceof ScanSlotsFull)) throw error;
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        throw new HttpException(error.message, 429);
      }
    });
  }

  /** The extra query tokens of a scan: 429 with the quota headers when the tenant has too few left. */
  private async chargeScan(tenant: ResolvedTenant, reply: FastifyReply): Promise<void> {
    const cost = this.questions.scanTokenCost - 1; // the guard took the request's own token
    if (cost <= 0) return;
    const decision = await this.quotas.take(tenant.tenantId, 'queries', queryQuotaOf(tenant), cost);
    void reply.headers(rateLimitHeaders(decision));
    if (!decision.allowed) {
      throw new HttpException(
        `query quota exceeded: a question answered by a scan takes ${this.questions.scanTokenCost} queries of the quota; retry after the time in Retry-After`,
        429,
      );
    }
  }
}

/**
 * What makes two questions the same: the parsed question with its window in minutes
 * (so two asks within a minute with the default window share an answer), not the raw body.
 */
export function cacheKeyOf(query: AnalyticsQueryV1): string {
  const { from: _from, to: _to, ...question } = query;
  return JSON.stringify(question);
}
