import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

/** An error Fastify answers with its status code (the shared error handler gives it the common shape). */
export class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A JSON request body as every Tally app reads it: UTF-8 only (RFC 8259; decoding invalid
 * bytes would silently store U+FFFD in their place), and `__proto__` /
 * `constructor.prototype` keys refused. Throws a 400 `BodyError` saying what is wrong.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new BodyError(400, 'malformed JSON: the body is not valid UTF-8');
  try {
    return secureJson.parse(body.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'forbidden key (__proto__ or constructor.prototype)';
    throw new BodyError(400, `malformed JSON: ${reason}`);
  }
}

/** `application/json` bodies (within Fastify's body limit) read with `parseJsonBody`, for apps without a reader of their own. */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as BodyError, undefined);
    }
  });
}
