import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { HttpErrorFilter } from './http-error.filter';
import { METRICS_REGISTRY, REQUEST_ID_HEADER, instrumentHttp, requestIdOf } from '@tally/observability';

export interface HttpListenConfig {
  readonly host: string;
  readonly port: number;
}

/**
 * Boots a Tally app on Fastify: JSON logs from the first line, HTTP metrics on every
 * response, graceful shutdown on SIGTERM/SIGINT (Nest closes modules in reverse, so
 * consumers stop before the clients they use). Returns the running app.
 */
export async function startHttpService(
  rootModule: DynamicModule,
  listen: HttpListenConfig,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({
      trustProxy: true,
      bodyLimit: 1024 * 1024,
      // A client's X-Request-Id (when sane) names the request everywhere it goes.
      requestIdHeader: false,
      genReqId: requestIdOf,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useGlobalFilters(new HttpErrorFilter());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  instrumentHttp(fastify, app.get<Registry>(METRICS_REGISTRY));
  await app.listen(listen.port, listen.host);
  return app;
}

/** Exit with the configuration problems listed, before anything else is started. */
export function failBoot(service: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'boot failed', err: message })}\n`);
  process.exit(1);
}
