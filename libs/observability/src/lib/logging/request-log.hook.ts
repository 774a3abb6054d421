import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger as Pino } from 'pino';

/** Routes probes and scrapes call every few seconds: logging them would bury the request log. */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

const LOG_FIELDS = Symbol('logFields');

interface RequestWithLogFields {
  [LOG_FIELDS]?: Record<string, unknown>;
}

/**
 * Adds fields to the request's "request completed" line (the tenant id, once a key
 * guard has resolved it). Later fields of the same name replace earlier ones.
 */
export function addRequestLogFields(request: object, fields: Record<string, unknown>): void {
  const holder = request as RequestWithLogFields;
  holder[LOG_FIELDS] = { ...holder[LOG_FIELDS], ...fields };
}

/**
 * One line per request, when its answer has been sent: `requestId`, `req` (id, method,
 * URL), `res.statusCode`, `responseTime` in ms and the fields added while serving.
 * Answers of 500 and above are logged as errors; a request whose client went away before
 * its answer gets a "request aborted" line. Headers and bodies are never logged, so no
 * key can reach a line this way.
 */
export function logRequests(fastify: FastifyInstance, logger: Pino): void {
  const fieldsOf = (request: FastifyRequest) => ({
    requestId: request.id,
    ...(request as RequestWithLogFields)[LOG_FIELDS],
    req: { id: request.id, method: request.method, url: request.url },
  });
  const quiet = (request: FastifyRequest) => QUIET_ROUTES.has(request.routeOptions.url ?? '');
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!quiet(request)) {
      const line = {
        ...fieldsOf(request),
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime),
      };
      if (reply.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (!quiet(request)) logger.info(fieldsOf(request), 'request aborted');
    done();
  });
}
