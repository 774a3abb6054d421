import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  analyticsQuerySchemas,
  type SummaryQuery,
  type TimeseriesQuery,
  type TopEventsQuery,
  type UniquesQuery,
} from '@tally/contracts';
import { ZodValidationPipe } from '@tally/service-runtime';
import { CurrentTenant, ReadKeyGuard, type ResolvedTenant } from '@tally/tenancy';
import { AnalyticsQueryService, minuteWindowOf } from './analytics-query.service';
import { QueryQuotaGuard } from './query-quota.guard';
import { QueryResponder } from './query.responder';

const schemas = analyticsQuerySchemas();

/**
 * The analytics queries. The tenant comes from the read key alone; every query is
 * validated (400 naming the problem), bounded, counted against the tenant's quota, and
 * answered from the cache when the same normalised query was answered recently.
 */
@Controller()
@UseGuards(ReadKeyGuard, QueryQuotaGuard)
export class AnalyticsController {
  constructor(
    private readonly queries: AnalyticsQueryService,
    private readonly responder: QueryResponder,
  ) {}

  /** The original endpoint: total events, counts by event name and unique users (default: last 24 h). */
  @Get('aggregation')
  async summary(
    @Query(new ZodValidationPipe(schemas.summary, 'query')) query: SummaryQuery,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const window = minuteWindowOf(query.from, query.to);
    await this.responder.respond({ tenant, route: 'summary', key: { ...window }, window, request, reply }, () =>
      this.queries.summary(tenant.tenantId, query),
    );
  }

  @Get('v1/timeseries')
  async timeseries(
    @Query(new ZodValidationPipe(schemas.timeseries, 'query')) query: TimeseriesQuery,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.queries.checkTimeseries(query); // before the cache and a concurrency slot: a refusal costs nothing else
    const window = minuteWindowOf(query.from, query.to);
    const key = { ...window, event: query.event ?? null, interval: query.interval, tz: query.tz };
    await this.responder.respond({ tenant, route: 'timeseries', key, window, request, reply }, () =>
      this.queries.timeseries(tenant.tenantId, query),
    );
  }

  @Get('v1/events/top')
  async topEvents(
    @Query(new ZodValidationPipe(schemas.topEvents, 'query')) query: TopEventsQuery,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const window = minuteWindowOf(query.from, query.to);
    await this.responder.respond(
      { tenant, route: 'top_events', key: { ...window, limit: query.limit }, window, request, reply },
      () => this.queries.topEvents(tenant.tenantId, query),
    );
  }

  @Get('v1/uniques')
  async uniques(
    @Query(new ZodValidationPipe(schemas.uniques, 'query')) query: UniquesQuery,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const window = minuteWindowOf(query.from, query.to);
    await this.responder.respond(
      { tenant, route: 'uniques', key: { ...window, event: query.event ?? null }, window, request, reply },
      () => this.queries.uniqueUsers(tenant.tenantId, query),
    );
  }
}
