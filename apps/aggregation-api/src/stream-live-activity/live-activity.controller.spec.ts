import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedTenant, TenantDirectory } from '@tally/tenancy';
import { parseTenantId } from '@tally/tenant-scope';
import { LiveActivityController } from './live-activity.controller';
import type { LiveActivityHub, LiveListener } from './live-activity.hub';

/** Counts places the way the hub does, without its Redis feed. */
class PlaceCounter {
  readonly open = new Set<LiveListener>();
  async subscribe(_tenantId: unknown, listener: LiveListener): Promise<() => void> {
    this.open.add(listener);
    return () => this.open.delete(listener);
  }
}

const tenant = { tenantId: parseTenantId('t_abcdefghijklmnopqrst') } as ResolvedTenant;

/** Runs the controller on a real HTTP exchange, after `beforeHandler` (the guards' await) has finished. */
async function exchange(beforeHandler: (req: IncomingMessage) => Promise<void>, clientHangsUp: boolean) {
  const places = new PlaceCounter();
  const controller = new LiveActivityController(places as unknown as LiveActivityHub, {} as TenantDirectory);
  const handled = new Promise<ServerResponse>((resolve) => {
    server.once('request', (req: IncomingMessage, res: ServerResponse) => {
      void beforeHandler(req).then(() => {
        const fastifyRequest = { raw: req, id: 'req-1', headers: req.headers } as unknown as FastifyRequest;
        const reply = { raw: res, hijack: () => undefined, getHeaders: () => ({}) } as unknown as FastifyReply;
        void controller.stream(tenant, fastifyRequest, reply).then(() => resolve(res));
      });
    });
  });
  const client = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/v1/live' });
  client.on('error', () => undefined);
  client.end();
  if (clientHangsUp) setTimeout(() => client.destroy(), 20);
  const res = await handled;
  return { places, res, client };
}

let server: ReturnType<typeof createServer>;
beforeAll(async () => {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(() => server.close());

describe('LiveActivityController', () => {
  it('gives back the place of a client that hung up while the guards were waiting', async () => {
    const { places } = await exchange(async (req) => {
      await once(req.socket, 'close');
    }, true);
    expect(places.open.size).toBe(0);
  });

  it('keeps the place of a connected client until it hangs up', async () => {
    const { places, client, res } = await exchange(async () => undefined, false);
    expect(places.open.size).toBe(1);
    client.destroy();
    await once(res, 'close');
    expect(places.open.size).toBe(0);
  });
});
