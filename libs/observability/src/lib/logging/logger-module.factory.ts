import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

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

/**
 * The one logger set-up of every Tally app: JSON lines with service, version and
 * request id. The request id itself is assigned by Fastify (`requestIdOf`, wired in
 * `startHttpService`); pino-http reuses it.
 */
export function createLoggerModule(identity: ServiceIdentity, level: string): DynamicModule {
  return LoggerModule.forRoot({
    // Fields assigned while serving (the tenant id, by the key guards) also reach the "request completed" line.
    assignResponse: true,
    // Probes and scrapes every few seconds would bury the request log.
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
    pinoHttp: {
      level,
      base: { service: identity.service, version: identity.version },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Log lines written while serving a request carry `requestId`, not the whole request.
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
    },
  });
}
