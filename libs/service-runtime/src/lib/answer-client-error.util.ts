import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './http-error.filter';

/** The HTTP request timeout when an app's configuration does not set one. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Node's own HTTP server settings for a request timeout: without one (Fastify's default)
 * a client sending its body a byte a second holds a connection, and the memory of its
 * half-read body, for as long as it likes. Node looks for expired requests only every
 * `connectionsCheckingInterval` (30 s by default), so it is checked every second here;
 * the headers get no longer than the whole request.
 */
export const requestTimeoutServerOptions = (requestTimeoutMs: number) => ({
  requestTimeout: requestTimeoutMs,
  headersTimeout: Math.min(60_000, requestTimeoutMs),
  connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
});

/**
 * The raw HTTP answer to an error Node raises before any route sees the request: a
 * request not received in full in time (408), headers too large (431), bytes that are
 * not HTTP (400). The same JSON shape as every other error, and the connection closes.
 */
export function clientErrorAnswer(error: NodeJS.ErrnoException, requestTimeoutMs: number): string {
  const [statusCode, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, `the request was not received in full within ${requestTimeoutMs / 1000} s`]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(statusCode, message, randomUUID()));
  return [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler`: answer when the socket can still take it, then close it (as Node does). */
export const answerClientError =
  (requestTimeoutMs: number) =>
  (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) socket.write(clientErrorAnswer(error, requestTimeoutMs));
    socket.destroy(error);
  };
