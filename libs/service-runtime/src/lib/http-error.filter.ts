import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

/** The one JSON shape of every error answer, in every app. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly { field: string; rule: string }[];
  readonly requestId: string;
}

/**
 * Turns anything thrown while serving a request into an `ErrorBody`. Unexpected
 * errors become a 500 whose message says nothing of internals; the cause is logged
 * with the request id so it can be found.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { statusCode, message, problems } = describe(exception);
    if (statusCode >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, `request failed: ${message}`);
    }
    const body: ErrorBody = {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message,
      ...(problems ? { problems } : {}),
      requestId: String(request.id),
    };
    void reply.status(statusCode).type('application/json; charset=utf-8').send(body);
  }
}

function describe(exception: unknown): Pick<ErrorBody, 'statusCode' | 'message' | 'problems'> {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return { statusCode, message: response };
    const { message, problems } = response as { message?: unknown; problems?: ErrorBody['problems'] };
    const text = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : exception.message;
    return { statusCode, message: text, ...(problems ? { problems } : {}) };
  }
  // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a status code.
  const fastifyError = exception as { statusCode?: unknown; message?: unknown };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { statusCode: fastifyError.statusCode, message: String(fastifyError.message) };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error' };
}
