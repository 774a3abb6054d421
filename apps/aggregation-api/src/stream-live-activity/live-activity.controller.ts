import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, HttpException, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant, ReadKeyGuard, type ResolvedTenant } from '@tally/tenancy';
import { QueryQuotaGuard } from '../query-analytics/query-quota.guard';
import { LiveActivityHub } from './live-activity.hub';

/**
 * `GET /v1/live`: Server-Sent Events, one `activity` event per second with the tenant's
 * events received per second over the last minute. A stream counts once against the
 * query quota, and a tenant may hold only a bounded number of streams at once.
 */
@Controller('v1/live')
@UseGuards(ReadKeyGuard, QueryQuotaGuard)
export class LiveActivityController {
  constructor(private readonly hub: LiveActivityHub) {}

  @Get()
  stream(@CurrentTenant() tenant: ResolvedTenant, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const raw = reply.raw;
    const unsubscribe = this.hub.subscribe(tenant.tenantId, {
      frame: (frame) => raw.write(`event: activity\ndata: ${JSON.stringify(frame)}\n\n`),
      end: () => raw.end(),
    });
    if (!unsubscribe) throw new HttpException('too many open live streams for this tenant; close one first', 429);
    // The guards awaited Redis: a client that hung up meanwhile has already had its 'close',
    // and a listener added now would never run, keeping its place for good.
    reply.hijack();
    if (request.raw.socket.destroyed) {
      unsubscribe();
      return;
    }
    raw.once('close', unsubscribe);
    raw.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders), // the quota guard's X-RateLimit-*
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    raw.write('retry: 2000\n\n');
  }
}
