import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  HttpException,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  EVENT_TYPES,
  describeIssues,
  eventTypeOfPath,
  ingestionBodySchema,
  mergeBatchFields,
  segmentBatchSchema,
  summariseProblems,
  type EventType,
} from '@tally/contracts';
import { CurrentTenant, WriteKeyGuard, type ResolvedTenant } from '@tally/tenancy';
import type { IngestReport } from './ingest-report';
import { RecordEventsService, type RecordOutcome } from './record-events.service';

/**
 * Segment's HTTP Tracking API (so existing SDKs work by changing their host) and the
 * original `POST /ingestion`. Every route answers 200 only once each accepted event is
 * in Kafka; 400 only when the request can never succeed.
 */
@Controller()
@UseGuards(WriteKeyGuard)
export class SegmentTrackingController {
  constructor(private readonly recorder: RecordEventsService) {}

  /** `/v1/b` is analytics.js's short path for its batches. */
  @Post(['v1/batch', 'v1/import', 'v1/b'])
  @HttpCode(200)
  async batch(
    @Body() body: unknown,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestReport> {
    const parsed = segmentBatchSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    const events = parsed.data.batch.map((event) => mergeBatchFields(event, parsed.data));
    return answer(await this.recorder.record(tenant, events, String(request.id)), reply, false);
  }

  @Post('v1/:type')
  @HttpCode(200)
  async single(
    @Param('type') type: string,
    @Body() body: unknown,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestReport> {
    const eventType = eventTypeOfPath(type);
    if (eventType === undefined) {
      throw new BadRequestException(`unknown endpoint /v1/${type}: use one of ${EVENT_TYPES.join(', ')} or batch`);
    }
    const event = withType(body, eventType, type);
    return answer(await this.recorder.record(tenant, [event], String(request.id)), reply, true);
  }

  /** The original endpoint: one event or an array of events; `type` defaults to track. */
  @Post('ingestion')
  @HttpCode(200)
  async ingestion(
    @Body() body: unknown,
    @CurrentTenant() tenant: ResolvedTenant,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestReport> {
    const parsed = ingestionBodySchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    const single = !Array.isArray(parsed.data);
    const events = (single ? [parsed.data] : (parsed.data as unknown[])).map((e) => withDefaultType(e));
    return answer(await this.recorder.record(tenant, events, String(request.id)), reply, single);
  }
}

function answer(outcome: RecordOutcome, reply: FastifyReply, singleEvent: boolean): IngestReport {
  switch (outcome.kind) {
    case 'recorded':
      void reply.headers(outcome.headers);
      return outcome.report;
    case 'all-rejected':
      if (singleEvent && outcome.tooLarge) throw new PayloadTooLargeException(outcome.report.rejected[0]?.reason);
      throw new BadRequestException({
        message: `no event was accepted: ${outcome.report.rejected.map((r) => r.reason).join('; ')}`.slice(0, 1000),
        ...outcome.report,
      });
    case 'over-quota':
      void reply.headers(outcome.headers);
      throw new HttpException('event quota exceeded; retry after the time in Retry-After', 429);
    case 'too-large':
      throw new PayloadTooLargeException(`${outcome.reason}; it can never be stored`);
    case 'unavailable':
      void reply.header('Retry-After', String(outcome.retryAfterSeconds));
      throw new ServiceUnavailableException('events could not be stored right now; retry later', {
        cause: outcome.cause,
      });
  }
}

function invalidBody(error: import('zod').ZodError): BadRequestException {
  const problems = describeIssues(error);
  return new BadRequestException({ message: `invalid body: ${summariseProblems(problems)}`, problems });
}

/** Per-type endpoints imply the type; a body that names another type is a client bug. */
function withType(body: unknown, type: EventType, path: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException(`the body of /v1/${path} must be one event object`);
  }
  const declared = (body as Record<string, unknown>)['type'];
  if (declared !== undefined && declared !== null && declared !== type) {
    throw new BadRequestException(`type "${String(declared)}" sent to /v1/${path}`);
  }
  return { ...body, type };
}

function withDefaultType(event: unknown): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
  return 'type' in event ? event : { ...event, type: 'track' };
}
