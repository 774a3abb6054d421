import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * CORS for browsers sending events from tenants' own sites, another origin than
 * ingest-api's. Any origin may send: a write key is public by design, and what a key
 * may do (write, within its tenant's quota) does not depend on the page it comes from.
 *
 * - The request's origin is echoed (not `*`) and credentials are allowed: sendBeacon
 *   and `fetch(..., { credentials: 'include' })` send credentialed requests, and a
 *   browser refuses `*` for those. No cookie is read, so this grants nothing more.
 * - Preflights (`OPTIONS`, for a request with `Authorization` or `Content-Type:
 *   application/json`) are answered for any requested headers, and cached for a day.
 * - The headers a client library acts on are exposed to its script: analytics.js reads
 *   `X-RateLimit-Reset` on a 429 to know when to retry.
 */
export function registerIngestCors(fastify: FastifyInstance): void {
  void fastify.register(cors, {
    origin: true,
    credentials: true,
    methods: ['POST'],
    exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id'],
    maxAge: 86_400,
  });
}
