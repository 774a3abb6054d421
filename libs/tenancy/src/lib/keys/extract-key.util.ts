import type { IncomingHttpHeaders } from 'node:http';

/**
 * Finds the API key in a request, in the forms Segment SDKs and plain HTTP clients
 * use: HTTP Basic with the key as username (password empty, trailing colon optional),
 * `Authorization: Bearer <key>`, `X-Write-Key`, or `writeKey` in a JSON body — at its
 * top level, or in its batch's events, where analytics.js puts it (it sends no headers
 * a browser would have to ask permission for).
 */
export function extractApiKey(headers: IncomingHttpHeaders, body?: unknown): string | undefined {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const [scheme, ...rest] = authorization.split(/\s+/);
    const credentials = rest.join(' ');
    if (/^bearer$/i.test(scheme ?? '') && credentials) return credentials;
    if (/^basic$/i.test(scheme ?? '') && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
      if (user) return user;
    }
  }
  const header = headers['x-write-key'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader.trim();
  if (isObject(body)) {
    const writeKey = body['writeKey'];
    if (typeof writeKey === 'string' && writeKey) return writeKey;
    const batch = body['batch'];
    const first = Array.isArray(batch) ? (batch[0] as unknown) : undefined;
    if (isObject(first) && typeof first['writeKey'] === 'string' && first['writeKey']) return first['writeKey'];
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Bearer only: read keys and the admin token are never accepted in other forms. */
export function extractBearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}
