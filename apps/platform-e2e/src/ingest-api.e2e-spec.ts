import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import { EVENT_TYPES, SHORT_EVENT_PATHS } from '@tally/contracts';
import type { CreatedTenant } from '@tally/tenancy';
import { eventually, mappedRoutes, startApp, testEnvironment, type RunningApp } from '@tally/testing';
import { provisionTenant } from './support/tenants';
import { readEventsTopic } from './support/topic-reader';

describe('ingest-api: Segment-compatible ingestion into Kafka', () => {
  const env = testEnvironment();
  const base = `http://127.0.0.1:${env.appPorts['ingest-api']}`;
  let app: RunningApp;
  let tenant: CreatedTenant;

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}, key = tenant.writeKey) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body,
    });

  beforeAll(async () => {
    app = startApp('ingest-api', { LOG_LEVEL: 'info' });
    tenant = await provisionTenant(env);
    await eventually(async () => expect((await fetch(`${base}/health/ready`)).status).toBe(200), 60_000);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('takes 1,000 events from the real @segment/analytics-node client into Kafka with every field it sent', async () => {
    const reader = await readEventsTopic(env, tenant.tenantId);
    const analytics = new Analytics({ writeKey: tenant.writeKey, host: base, flushAt: 100, maxRetries: 3 });
    try {
      for (let i = 0; i < 1_000; i++) {
        if (i % 10 === 0) analytics.identify({ userId: `user-${i}`, traits: { plan: 'pro', seq: i } });
        else
          analytics.track({ userId: `user-${i % 37}`, event: 'Button Clicked', properties: { seq: i, color: 'blue' } });
      }
      await analytics.closeAndFlush({ timeout: 30_000 });
      await eventually(() => expect(reader.envelopes.length + reader.invalid.length).toBe(1_000), 60_000, 500);
      expect(reader.invalid).toEqual([]);

      const bySeq = new Map(reader.envelopes.map((e) => [seqOf(e.event), e]));
      expect(bySeq.size).toBe(1_000);
      const track = bySeq.get(5);
      expect(track).toMatchObject({
        v: 1,
        tenantId: tenant.tenantId,
        event: { type: 'track', event: 'Button Clicked', userId: 'user-5', properties: { seq: 5, color: 'blue' } },
      });
      expect(track?.event.context).toMatchObject({ library: { name: '@segment/analytics-node' } });
      expect(track?.event.messageId).toEqual(expect.any(String));
      expect(Date.parse(track?.timestamp ?? '')).toBeLessThanOrEqual(Date.parse(track?.receivedAt ?? ''));
      expect(bySeq.get(10)).toMatchObject({ event: { type: 'identify', userId: 'user-10', traits: { plan: 'pro' } } });
      // Keyed by tenant + user: one user's events share a partition, and the tenant travels in every message.
      expect(reader.keys).toEqual(
        reader.envelopes.map((e) => `${tenant.tenantId}:${e.event.userId ?? e.event.anonymousId ?? ''}`),
      );
      expect(reader.envelopes.every((e) => e.tenantId === tenant.tenantId)).toBe(true);
    } finally {
      await reader.stop();
    }
  });

  it('answers malformed JSON with 400', async () => {
    const response = await post('/v1/batch', '{"batch": [');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('malformed JSON'),
    });
  });

  it('answers a 600 KB body with 413', async () => {
    const padding = 'x'.repeat(600 * 1024);
    const response = await post('/v1/track', JSON.stringify({ event: 'big', userId: 'u', properties: { padding } }));
    expect(response.status).toBe(413);
  });

  it('cuts a gzip bomb off with 413 and keeps memory bounded', async () => {
    const rssBefore = await residentMemory();
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, ' '), { level: 9 }); // 200 MB of spaces, ~200 KB gzipped
    for (let i = 0; i < 5; i++) {
      const response = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' });
      expect(response.status).toBe(413);
    }
    // Five bombs decoded whole would have cost a gigabyte; cut off, they cost next to nothing.
    expect((await residentMemory()) - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('accepts gzip- and deflate-encoded bodies', async () => {
    const body = JSON.stringify({ event: 'compressed', userId: 'u' });
    expect((await post('/v1/track', gzipSync(body), { 'content-encoding': 'gzip' })).status).toBe(200);
    const { deflateSync } = await import('node:zlib');
    expect((await post('/v1/track', deflateSync(body), { 'content-encoding': 'deflate' })).status).toBe(200);
  });

  it('rejects an event without userId or anonymousId in the report and accepts the rest of the batch', async () => {
    const response = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', event: 'ok', userId: 'u1', messageId: 'm-1' },
          { type: 'track', event: 'no identity', messageId: 'm-2' },
          { type: 'identify', anonymousId: 'a1' },
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      accepted: 2,
      rejected: [{ index: 1, messageId: 'm-2', reason: 'userId: every event needs userId or anonymousId' }],
    });
  });

  it('answers 400 when no event of the request can ever be accepted', async () => {
    const response = await post('/v1/track', JSON.stringify({ userId: 'u' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      rejected: [{ index: 0, reason: 'event: track events need an event name' }],
    });
  });

  it('refuses an unknown key with 401, no key with 401, and a read key with 403', async () => {
    const body = JSON.stringify({ event: 'x', userId: 'u' });
    expect((await post('/v1/track', body, {}, 'tly_w_not-a-real-key')).status).toBe(401);
    const noKey = await fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noKey.status).toBe(401);
    expect((await post('/v1/track', body, {}, tenant.readKey)).status).toBe(403);
  });

  it('accepts the write key in every Segment form: Basic, X-Write-Key and writeKey in the body', async () => {
    const event = { event: 'x', userId: 'u' };
    const basic = `Basic ${Buffer.from(`${tenant.writeKey}:`).toString('base64')}`;
    const viaBasic = await fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify(event),
    });
    expect(viaBasic.status).toBe(200);
    const viaHeader = await fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-write-key': tenant.writeKey },
      body: JSON.stringify(event),
    });
    expect(viaHeader.status).toBe(200);
    const viaBody = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: tenant.writeKey, batch: [{ type: 'track', ...event }] }),
    });
    expect(viaBody.status).toBe(200);
  });

  it('reads what real libraries send: any declared content type, null fields, their paths and timestamp forms', async () => {
    const reader = await readEventsTopic(env, tenant.tenantId);
    try {
      const sent = async (path: string, body: string, contentType?: string) => {
        const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.writeKey}`, ...headers },
          body,
        });
        return { status: response.status, body: (await response.json()) as unknown };
      };
      const ok = { status: 200, body: { success: true, accepted: 1, rejected: [] } };
      const event = (seq: number, extra: object = {}) =>
        JSON.stringify({ event: 'Compat', userId: 'u', properties: { seq }, ...extra });
      expect(await sent('/v1/track', event(1), 'text/plain;charset=UTF-8')).toEqual(ok); // sendBeacon
      expect(await sent('/v1/track', event(2), 'application/x-www-form-urlencoded')).toEqual(ok); // an HTTP client's default
      expect(await sent('/v1/track', event(3))).toEqual(ok); // no Content-Type at all
      expect(await sent('/v1/t', event(4, { type: 'track' }), 'text/plain')).toEqual(ok); // analytics.js
      // Segment's Python library: null for what it has no value for, isoformat timestamps.
      const python = event(5, { anonymousId: null, context: null, timestamp: '2026-01-01T00:00:00.123456+00:00' });
      expect(await sent('/v1/track', python, 'application/json')).toEqual(ok);
      // analytics-java posts to /v1/import/ with a trailing slash, timestamps with a +0000 offset.
      const java = JSON.stringify({
        batch: [JSON.parse(event(6, { type: 'track', timestamp: '2026-01-01T00:00:00.000+0000' }))],
      });
      expect(await sent('/v1/import/', java, 'application/json; charset=utf-8')).toEqual(ok);
      const analyticsJsBatch = JSON.stringify({ batch: [JSON.parse(event(7, { type: 'track' }))], sentAt: null });
      expect(await sent('/v1/b', analyticsJsBatch, 'text/plain')).toEqual(ok);

      await eventually(() => expect(reader.envelopes.length).toBe(7), 30_000, 200);
      expect(reader.invalid).toEqual([]);
      const python5 = reader.envelopes.find((e) => seqOf(e.event) === 5);
      expect(python5?.event).not.toHaveProperty('anonymousId');
      expect(python5?.originalTimestamp).toBe('2026-01-01T00:00:00.123Z');
    } finally {
      await reader.stop();
    }
  });

  it('answers a browser preflight from any origin, echoing it with credentials allowed', async () => {
    const preflight = await fetch(`${base}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-retry-count',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-retry-count');
    const answer = await post('/v1/track', event1(), { origin: 'https://shop.example' });
    expect(answer.headers.get('access-control-expose-headers')).toContain('X-RateLimit-Reset');
  });

  it('takes the original POST /ingestion: one event or an array, type defaulting to track', async () => {
    const one = await post('/ingestion', JSON.stringify({ event: 'Original', userId: 'u' }));
    expect(await one.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    const many = await post(
      '/ingestion',
      JSON.stringify([
        { event: 'A', userId: 'u' },
        { type: 'page', anonymousId: 'a' },
      ]),
    );
    expect(await many.json()).toEqual({ success: true, accepted: 2, rejected: [] });
  });

  it('answers 429 with Retry-After and rate-limit headers over quota, and admits the tenant again later', async () => {
    const small = await provisionTenant(env, { ingestEventsPerSecond: 5, ingestBurst: 10 });
    const batch = JSON.stringify({
      batch: Array.from({ length: 10 }, (_, i) => ({ type: 'track', event: 'e', userId: `u${i}` })),
    });
    expect((await post('/v1/batch', batch, {}, small.writeKey)).status).toBe(200);
    const refused = await post('/v1/batch', batch, {}, small.writeKey);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('10');
    expect(Number(refused.headers.get('x-ratelimit-remaining'))).toBeLessThan(10);
    expect(refused.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    // Another tenant is not affected.
    expect((await post('/v1/batch', batch)).status).toBe(200);
    await eventually(
      async () => expect((await post('/v1/batch', batch, {}, small.writeKey)).status).toBe(200),
      5_000,
      250,
    );
  });

  it('describes every route it serves in the OpenAPI document at /docs', async () => {
    const document = (await (await fetch(`${base}/docs`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    // The route table as Nest mapped it at boot, with the per-type route expanded.
    const served = mappedRoutes(app.output())
      .map((route) => route.path)
      .filter((path) => !path.startsWith('/docs'))
      .flatMap((path) =>
        path === '/v1/:type' ? [...EVENT_TYPES, ...Object.keys(SHORT_EVENT_PATHS)].map((t) => `/v1/${t}`) : [path],
      );
    expect(served.length).toBeGreaterThan(5);
    expect(served.filter((path) => !(path in document.paths))).toEqual([]);
  });

  it('logs each request as JSON with the client request id and the tenant id', async () => {
    const requestId = `trace-${Date.now()}`;
    const response = await post('/v1/track', JSON.stringify({ event: 'traced', userId: 'u' }), {
      'x-request-id': requestId,
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await eventually(() => {
      const line = app
        .output()
        .split('\n')
        .find((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('request completed'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({ service: 'ingest-api', tenantId: tenant.tenantId, requestId });
    }, 5_000);
  });

  it('never writes a key to its logs', () => {
    expect(app.output()).not.toContain(tenant.writeKey);
    expect(app.output()).not.toContain(tenant.readKey);
  });

  async function residentMemory(): Promise<number> {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(text)?.[1]);
  }
});

const event1 = (): string => JSON.stringify({ event: 'cors', userId: 'u' });

function seqOf(event: unknown): number {
  const e = event as { properties?: { seq?: number }; traits?: { seq?: number } };
  return e.properties?.seq ?? e.traits?.seq ?? -1;
}
