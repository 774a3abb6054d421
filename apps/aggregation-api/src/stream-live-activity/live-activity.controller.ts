import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, HttpException, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant, ReadKeyGuard, TenantDirectory, extractBearer, type ResolvedTenant } from '@tally/tenancy';
import { QueryQuotaGuard } from '../query-analytics/query-quota.guard';
import { LiveActivityHub, type LiveListener } from './live-activity.hub';

/**
 * `GET /v1/live`: Server-Sent Events, one `activity` event per second with the tenant's
 * events received per second over the last minute. A stream counts once against the
 * query quota, a tenant may hold only a bounded number of streams at once (on all
 * replicas), and a stream ends with an `end` event saying why — its key revoked or its
 * tenant disabled, a client that stopped reading, a server restart.
 */
@Controller('v1/live')
@UseGuards(ReadKeyGuard, QueryQuotaGuard)
export class LiveActivityController {
  constructor(
    private readonly hub: LiveActivityHub,
    private readonly directory: TenantDirectory,
  ) {}

  @Get()
  async stream(
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const raw = reply.raw;
    // The guard resolved this key; the stream checks it again while it is open.
    const key = extractBearer(request.headers) ?? '';
    const listener: LiveListener = {
      frame: (frame) => {
        if (raw.destroyed || raw.writableNeedDrain) return false;
        raw.write(`event: activity\ndata: ${JSON.stringify(frame)}\n\n`);
        return true;
      },
      end: (reason) => {
        if (!raw.destroyed) raw.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      },
      stillAuthorized: async () => {
        const now = await this.directory.resolve(key);
        return now !== null && now.tenantId === tenant.tenantId && now.scope === 'read';
      },
    };
    const unsubscribe = await this.hub.subscribe(tenant.tenantId, listener);
    if (!unsubscribe) throw new HttpException('too many open live streams for this tenant; close one first', 429);
    // The guards and the claim awaited Redis: a client that hung up meanwhile has already had
    // its 'close', and a listener added now would never run, keeping its place for good.
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
