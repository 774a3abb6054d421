import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import { pino, type Logger as Pino } from 'pino';

export interface ServiceIdentity {
  /** Service name as it appears in logs and metrics, e.g. `ingest-api`. */
  readonly service: string;
  readonly version: string;
}

/**
 * Paths pino blanks before a line is written. Keys travel in Authorization (Basic or
 * Bearer), in X-Write-Key, and in a Segment body's `writeKey`; none may reach a log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-write-key"]',
  'req.headers["x-admin-token"]',
  'req.headers.cookie',
  'req.body.writeKey',
  'writeKey',
  'readKey',
  'token',
  '*.writeKey',
  '*.readKey',
  '*.token',
];

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a client's request id when it is sane, otherwise makes one. */
export function requestIdOf(req: { headers: IncomingHttpHeaders }): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

/** The app's root pino logger, for code outside Nest's injection (the request log hook). */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

/** JSON lines naming the service and its version, with every key path blanked. */
export function createServiceLogger(identity: ServiceIdentity, level: string): Pino {
  return pino({
    level,
    base: { service: identity.service, version: identity.version },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

@Global()
@Module({})
class ServiceLoggingModule {}

/**
 * The one logger set-up of every Tally app: nestjs-pino's `Logger` (Nest's own lines)
 * and `PinoLogger` (the apps' lines) over one root pino logger. Requests are logged by
 * `logRequests`, a Fastify hook, not by pino-http's middleware: that one made two child
 * loggers per request and ran it in an async context, a fifth of ingest-api's CPU per
 * single-event request (docs/benchmarks.md).
 */
export function createLoggerModule(identity: ServiceIdentity, level: string): DynamicModule {
  const root = createServiceLogger(identity, level);
  const providers = [
    { provide: SERVICE_LOGGER, useValue: root },
    // nestjs-pino's loggers write through a logger passed this way instead of making their own.
    { provide: PARAMS_PROVIDER_TOKEN, useValue: { pinoHttp: { logger: root } } },
    PinoLogger,
    Logger,
  ];
  return {
    module: ServiceLoggingModule,
    providers,
    exports: [SERVICE_LOGGER, PARAMS_PROVIDER_TOKEN, PinoLogger, Logger],
  };
}
