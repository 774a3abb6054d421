import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { REDACTED_PATHS } from './logger-module.factory';
import { addRequestLogFields, logRequests } from './request-log.hook';

describe('logRequests', () => {
  let app: FastifyInstance;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ base: { service: 'test' }, redact: { paths: REDACTED_PATHS } }, sink);
    app = Fastify({ genReqId: () => 'req-1' });
    logRequests(app, logger);
    app.post('/v1/track', async (request) => {
      addRequestLogFields(request, { tenantId: 't_1' });
      return { ok: true };
    });
    app.get('/boom', async (_request, reply) => reply.status(503).send({}));
    app.get('/health/ready', async () => ({ ok: true }));
    app.get('/metrics', async () => '');
    await app.ready();
  });

  afterEach(() => app.close());

  it('writes one line per request with its id, the added fields, method, URL, status and time, and no headers', async () => {
    await app.inject({
      method: 'POST',
      url: '/v1/track?x=1',
      headers: { authorization: 'Basic c2VjcmV0Og==', 'content-type': 'application/json' },
      payload: { writeKey: 'tly_w_secret' },
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'test',
        msg: 'request completed',
        requestId: 'req-1',
        tenantId: 't_1',
        req: { id: 'req-1', method: 'POST', url: '/v1/track?x=1' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/secret|c2VjcmV0|authorization/i);
  });

  it('logs answers of 500 and above as errors', async () => {
    await app.inject({ method: 'GET', url: '/boom' });
    expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'request errored', res: { statusCode: 503 } })]);
  });

  it('leaves out probes and scrapes, not unknown routes', async () => {
    await app.inject({ method: 'GET', url: '/health/ready' });
    await app.inject({ method: 'GET', url: '/metrics' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    expect(lines.map((l) => [l['msg'], l['res']])).toEqual([['request completed', { statusCode: 404 }]]);
  });
});
