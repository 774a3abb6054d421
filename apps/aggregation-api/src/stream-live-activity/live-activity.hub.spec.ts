import type Redis from 'ioredis';
import type { PinoLogger } from 'nestjs-pino';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { END_REASONS, LIVE_STALL_MS, LiveActivityHub, type LiveListener } from './live-activity.hub';
import type { LiveStreamRegistry } from './live-stream.registry';

const tenant = parseTenantId('t_abcdefghijklmnopqrst') as TenantId;
const logger = { setContext: () => undefined, warn: () => undefined } as unknown as PinoLogger;

/** The registry's bound, in memory. */
class Places {
  readonly held = new Set<string>();
  private next = 0;
  constructor(private readonly bound: number) {}
  async claim(): Promise<string | undefined> {
    if (this.held.size >= this.bound) return undefined;
    const id = `s${this.next++}`;
    this.held.add(id);
    return id;
  }
  renewals = 0;
  async renew(): Promise<void> {
    this.renewals++;
  }
  async release(_tenant: TenantId, id: string): Promise<void> {
    this.held.delete(id);
  }
}

/** A client: reads frames or not, its key valid or not. */
class Client implements LiveListener {
  frames = 0;
  ended: string | undefined;
  reading = true;
  authorized = true;
  frame(): boolean {
    if (!this.reading) return false;
    this.frames++;
    return true;
  }
  end(reason: string): void {
    this.ended = reason;
  }
  async stillAuthorized(): Promise<boolean> {
    return this.authorized;
  }
}

function hubWith(places: Places, mget: () => Promise<(string | null)[]> = async () => []) {
  const redis = { mget } as unknown as Redis;
  return new LiveActivityHub(
    redis,
    { maxStreamsPerTenant: 2, pushIntervalMs: 60_000 },
    places as unknown as LiveStreamRegistry,
    logger,
  );
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveActivityHub', () => {
  let hubs: LiveActivityHub[] = [];
  afterEach(() => {
    for (const hub of hubs) hub.beforeApplicationShutdown();
    hubs = [];
  });
  const track = (hub: LiveActivityHub) => (hubs.push(hub), hub);

  it('admits streams up to the platform-wide bound and gives a place back when one closes', async () => {
    const places = new Places(2);
    const hub = track(hubWith(places));
    const first = await hub.subscribe(tenant, new Client());
    await hub.subscribe(tenant, new Client());
    expect(await hub.subscribe(tenant, new Client())).toBeUndefined();
    first?.();
    expect(await hub.subscribe(tenant, new Client())).toBeDefined();
    expect(places.held.size).toBe(2);
  });

  it('ends a stream whose key no longer holds, saying why, and frees its place', async () => {
    const places = new Places(2);
    const hub = track(hubWith(places));
    const client = new Client();
    await hub.subscribe(tenant, client);
    client.authorized = false;
    await hub.checkStreams();
    expect(client.ended).toBe(END_REASONS.revoked);
    expect(places.held.size).toBe(0);
    expect(hub.streams(tenant)).toBe(0);
  });

  it('lets go of a client that stopped reading, but not of one whose frames could not be read from Redis', async () => {
    const places = new Places(2);
    let redisUp = true;
    const hub = track(
      hubWith(places, async () => {
        if (!redisUp) throw new Error('redis down');
        return [];
      }),
    );
    const stalled = new Client();
    const patient = new Client();
    await hub.subscribe(tenant, stalled);
    await hub.subscribe(tenant, patient);
    await settle();
    stalled.reading = false;
    // Taken before the push, so the skipping began at `now` or later, whatever the machine's pace.
    const now = Date.now();
    await (hub as unknown as { push(t: TenantId): Promise<void> }).push(tenant); // skipped from now on
    redisUp = false;
    await hub.checkStreams(now + LIVE_STALL_MS - 1);
    expect(stalled.ended).toBeUndefined();
    await hub.checkStreams(now + LIVE_STALL_MS + 1_000);
    expect(stalled.ended).toBe(END_REASONS.stalled);
    expect(patient.ended).toBeUndefined();
    expect(hub.streams(tenant)).toBe(1);
  });
});
