import { HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import type { ResolvedTenant } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import type { CachedAnswer, QueryCache } from './query-cache';
import { QueryMetrics } from './query.metrics';
import { QueryResponder, type QueryContext } from './query.responder';
import { QuerySlots } from './query-slots.limiter';

/** The answer cache in memory: keyed by tenant and query, no expiry. */
class MemoryCache {
  readonly answers = new Map<string, CachedAnswer>();
  get(tenantId: TenantId, query: string): Promise<{ hit: CachedAnswer | undefined; late: string }> {
    return Promise.resolve({ hit: this.answers.get(`${tenantId}|${query}`), late: '0' });
  }
  put(tenantId: TenantId, query: string, answer: CachedAnswer): Promise<void> {
    this.answers.set(`${tenantId}|${query}`, answer);
    return Promise.resolve();
  }
}

/** A reply that records what was sent. */
function fakeReply() {
  const headers: Record<string, string> = {};
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    header(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return reply;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    type: () => reply,
    send(body?: unknown) {
      sent.body = body;
      return Promise.resolve();
    },
  };
  return { reply: reply as unknown as FastifyReply, headers, sent };
}

/** A computation that finishes when the test says so. */
function pending() {
  let finish: (value: unknown) => void = () => undefined;
  const promise = new Promise<unknown>((resolve) => (finish = resolve));
  return { compute: () => promise, finish };
}

const tenantOf = (id: string) => ({ tenantId: parseTenantId(id) as TenantId }) as ResolvedTenant;
const a = tenantOf('t_aaaaaaaaaaaaaaaaaaaa');
const b = tenantOf('t_bbbbbbbbbbbbbbbbbbbb');

describe('QueryResponder', () => {
  let cache: MemoryCache;
  let metrics: QueryMetrics;
  let responder: QueryResponder;
  const ask = (tenant: ResolvedTenant, question: string, compute: () => Promise<unknown>) => {
    const { reply, headers, sent } = fakeReply();
    const context: QueryContext = {
      tenant,
      route: 'summary',
      key: { question },
      window: { start: 0, end: 1 },
      request: { headers: {} } as FastifyRequest,
      reply,
    };
    return { done: responder.respond(context, compute), headers, sent };
  };

  beforeEach(() => {
    cache = new MemoryCache();
    metrics = new QueryMetrics(new Registry());
    responder = new QueryResponder(cache as unknown as QueryCache, metrics, new QuerySlots(2));
  });

  it("refuses a tenant's uncached query with 429 and Retry-After while its slots are taken; other tenants are answered", async () => {
    const first = pending();
    const second = pending();
    const [one, two] = [ask(a, 'q1', first.compute), ask(a, 'q2', second.compute)];
    await Promise.resolve(); // both past the cache, computing

    const refused = ask(a, 'q3', () => Promise.resolve({ n: 3 }));
    await expect(refused.done).rejects.toMatchObject({
      constructor: HttpException,
      status: 429,
      message: expect.stringContaining('at most 2 per replica'),
    });
    expect(refused.headers['retry-after']).toBe('1');
    expect((await metrics.overConcurrency.get()).values).toEqual([
      expect.objectContaining({ labels: { route: 'summary' }, value: 1 }),
    ]);

    const other = ask(b, 'q3', () => Promise.resolve({ n: 3 }));
    await other.done;
    expect(other.sent).toEqual({ status: 200, body: '{"n":3}' });

    first.finish({ n: 1 });
    await one.done;
    const again = ask(a, 'q3', () => Promise.resolve({ n: 3 }));
    await again.done;
    expect(again.sent.status).toBe(200);
    second.finish({ n: 2 });
    await two.done;
  });

  it('answers from the cache without a slot, and gives a slot back when computing fails', async () => {
    await ask(a, 'cached', () => Promise.resolve({ n: 0 })).done;
    const first = pending();
    const second = pending();
    const [one, two] = [ask(a, 'q1', first.compute), ask(a, 'q2', second.compute)];
    await Promise.resolve();

    const hit = ask(a, 'cached', () => Promise.reject(new Error('not computed')));
    await hit.done;
    expect(hit.sent).toEqual({ status: 200, body: '{"n":0}' });
    expect(hit.headers['x-cache']).toBe('hit');

    first.finish(Promise.reject(new Error('store down')));
    await expect(one.done).rejects.toThrow('store down');
    await ask(a, 'q3', () => Promise.resolve({ n: 3 })).done; // the failed one's slot is free again
    second.finish({ n: 2 });
    await two.done;
  });
});
