import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  RateLimiter,
  rateLimitHeaders,
  type BucketLimit,
  type RequestWithTenant,
  type ResolvedTenant,
} from '@tally/tenancy';

/** A tenant's query quota as a token bucket: its queries per minute, a minute's worth at once. */
export const queryQuotaOf = (tenant: ResolvedTenant): BucketLimit => ({
  ratePerSecond: tenant.quotas.queriesPerMinute / 60,
  capacity: tenant.quotas.queriesPerMinute,
});

/**
 * The tenant's query quota (queries per minute, shared by every replica through Redis),
 * taken after the read-key guard has resolved the tenant. Headers on every answer;
 * over quota: 429 with `Retry-After`.
 */
@Injectable()
export class QueryQuotaGuard implements CanActivate {
  constructor(private readonly quotas: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const tenant = context.switchToHttp().getRequest<RequestWithTenant>().tenant;
    if (!tenant) throw new Error('QueryQuotaGuard must run after ReadKeyGuard');
    const decision = await this.quotas.take(tenant.tenantId, 'queries', queryQuotaOf(tenant));
    void context.switchToHttp().getResponse<FastifyReply>().headers(rateLimitHeaders(decision));
    if (!decision.allowed) throw new HttpException('query quota exceeded; retry after the time in Retry-After', 429);
    return true;
  }
}
