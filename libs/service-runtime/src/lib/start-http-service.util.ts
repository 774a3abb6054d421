import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import type { Logger as Pino } from 'pino';
import {
  METRICS_REGISTRY,
  REQUEST_ID_HEADER,
  SERVICE_LOGGER,
  instrumentHttp,
  logRequests,
  requestIdOf,
} from '@tally/observability';
import { DEFAULT_REQUEST_TIMEOUT_MS, answerClientError, requestTimeoutServerOptions } from './answer-client-error.util';
import { HttpErrorFilter } from './http-error.filter';
import { registerJsonBodyParser } from './json-body.util';
import { logProcessWarnings } from './log-process-warnings.util';

export interface HttpListenConfig {
  readonly host: string;
  readonly port: number;
  /** A request whose headers and body have not all arrived by then gets 408 and its connection closed. */
  readonly requestTimeoutMs?: number;
}

export interface HttpServiceOptions {
  /** Changes to the Fastify instance before routes are bound (e.g. a body parser of the app's own). */
  readonly configureFastify?: (fastify: FastifyInstance) => void;
  /** The app reads bodies itself (in `configureFastify`); otherwise `registerJsonBodyParser` does. */
  readonly ownBodyParser?: boolean;
}

/**
 * Boots a Tally app on Fastify: JSON logs from the first line (Node's process warnings
 * included), a log line and HTTP metrics for every response, one error shape, graceful shutdown on
 * SIGTERM/SIGINT (Nest closes modules in reverse, so consumers stop before the clients
 * they use). Returns the running app.
 */
export async function startHttpService(
  rootModule: DynamicModule,
  listen: HttpListenConfig,
  options: HttpServiceOptions = {},
): Promise<NestFastifyApplication> {
  const requestTimeoutMs = listen.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({
      trustProxy: true,
      bodyLimit: 1024 * 1024,
      // Slow clients (a body a byte a second) are cut off; Fastify sets none by default.
      requestTimeout: requestTimeoutMs,
      http: requestTimeoutServerOptions(requestTimeoutMs),
      clientErrorHandler: answerClientError(requestTimeoutMs),
      // A client's X-Request-Id (when sane) names the request everywhere it goes.
      requestIdHeader: false,
      genReqId: requestIdOf,
      // `/v1/import/` (analytics-java's path) is `/v1/import`: clients differ on the slash.
      routerOptions: { ignoreTrailingSlash: true },
    }),
    // JSON bodies are read by `registerJsonBodyParser` (or the app's own reader), not Nest's parser.
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  const processLogger = await app.resolve(PinoLogger);
  processLogger.setContext('process');
  logProcessWarnings(processLogger);
  app.enableShutdownHooks();
  app.useGlobalFilters(new HttpErrorFilter());
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  instrumentHttp(fastify, app.get<Registry>(METRICS_REGISTRY));
  logRequests(fastify, app.get<Pino>(SERVICE_LOGGER));
  // Errors Fastify raises before a route handler runs (body parsing, limits) reach Nest's
  // exception layer, which it installs as Fastify's error handler at listen: they get the
  // HttpErrorFilter's shape like the rest (a handler of our own here would be overridden).
  if (!options.ownBodyParser) registerJsonBodyParser(fastify);
  options.configureFastify?.(fastify);
  await app.listen(listen.port, listen.host);
  return app;
}

/** Exit with the configuration problems listed, before anything else is started. */
export function failBoot(service: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'boot failed', err: message })}\n`);
  process.exit(1);
}
