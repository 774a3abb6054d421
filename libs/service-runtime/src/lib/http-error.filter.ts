import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

/** The one JSON shape of every error answer, in every app. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly { field: string; rule: string }[];
  /** Ingest answers: the events that were refused, by index, when none was accepted. */
  readonly rejected?: readonly { index: number; messageId: string | null; reason: string }[];
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
    const { statusCode, message, problems, rejected } = describe(exception);
    if (statusCode >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, `request failed: ${message}`);
    }
    void reply
      .status(statusCode)
      .type('application/json; charset=utf-8')
      .send({ ...errorBody(statusCode, message, String(request.id), problems), ...(rejected ? { rejected } : {}) });
  }
}

export function errorBody(
  statusCode: number,
  message: string,
  requestId: string,
  problems?: ErrorBody['problems'],
): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(problems ? { problems } : {}),
    requestId,
  };
}

function describe(exception: unknown): Pick<ErrorBody, 'statusCode' | 'message' | 'problems' | 'rejected'> {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return { statusCode, message: response };
    const { message, problems, rejected } = response as Pick<ErrorBody, 'problems' | 'rejected'> & {
      message?: unknown;
    };
    const text = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : exception.message;
    return { statusCode, message: text, ...(problems ? { problems } : {}), ...(rejected ? { rejected } : {}) };
  }
  // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a status code.
  const fastifyError = exception as { statusCode?: unknown; message?: unknown };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { statusCode: fastifyError.statusCode, message: String(fastifyError.message) };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error' };
}
