import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { INGEST_LIMITS } from '@tally/contracts';
import { BodyError, parseJsonBody } from '@tally/service-runtime';

/**
 * Reads an ingest request body: gzip/deflate decoded as a stream and cut off the moment
 * the decoded size passes the limit — a decompression bomb is never held whole — then
 * parsed as JSON (which must be UTF-8) with prototype-poisoning keys refused.
 *
 * The body is read as JSON whatever content type is declared, or none: analytics.js
 * and sendBeacon send `text/plain` (a type the browser needs no CORS preflight for),
 * some server libraries `application/x-www-form-urlencoded` through their HTTP
 * client's default, with JSON in it all the same. Refusing the declared type would
 * lose every event they send, so only the body itself decides.
 */
export function registerIngestBodyParser(
  fastify: FastifyInstance,
  maxBytes: number = INGEST_LIMITS.maxRequestBytes,
): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage, done) => {
    readBody(request, payload, maxBytes).then(
      (body) => {
        try {
          done(null, parseJsonBody(body));
        } catch (error) {
          done(error as BodyError, undefined);
        }
      },
      (error: unknown) =>
        done(error instanceof BodyError ? error : new BodyError(400, 'could not read the body'), undefined),
    );
  });
}

function readBody(request: FastifyRequest, payload: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  let source: IncomingMessage | Gunzip | Inflate;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = payload.pipe(createGunzip());
  else if (encoding === 'deflate') source = payload.pipe(createInflate());
  else if (encoding === 'identity' || encoding === '') source = payload;
  else
    return Promise.reject(new BodyError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const fail = (error: BodyError) => {
      if (finished) return;
      finished = true;
      // Stop reading at once: neither the compressed nor the decoded bytes keep arriving.
      payload.unpipe();
      if (source !== payload) (source as Gunzip).destroy();
      payload.resume();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        return fail(new BodyError(413, `request body larger than ${maxBytes / 1024} KB (after decoding)`));
      chunks.push(chunk);
    });
    source.on('error', () => fail(new BodyError(400, `body is not valid ${encoding} data`)));
    source.on('end', () => {
      if (finished) return;
      finished = true;
      resolve(Buffer.concat(chunks, size));
    });
  });
}
