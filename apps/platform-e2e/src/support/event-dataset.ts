import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { NONE_VALUE, bucketOf, countedNameOf, measureMicrosOf, userKeyOf } from '@tally/analytics-store';
import { EVENT_ENVELOPE_VERSION, type EventEnvelopeV1, type SegmentEvent } from '@tally/contracts';
import { newTenantId, type TenantId } from '@tally/tenant-scope';

export interface DatasetOptions {
  /** How many new tenant ids to make up, or the (provisioned) tenants to use. */
  readonly tenants: number | readonly TenantId[];
  /** Distinct events (before duplicates). */
  readonly events: number;
  /** Share of events sent a second time with the same messageId (half of them to another partition). */
  readonly duplicateShare: number;
  /** Share of events whose time is 2 to 6 hours before now. */
  readonly lateShare: number;
  /** The other events' times fall within this long before now (default two minutes). */
  readonly spreadMs?: number;
  readonly poison: number;
}

/** What the worker must end with for one tenant. */
export interface ExpectedTenant {
  /** `<minute>|<counted name>` → events. */
  readonly counts: Map<string, number>;
  readonly users: Set<string>;
  readonly usersByName: Map<string, Set<string>>;
  /**
   * `<minute>|<counted name>|<value of properties.plan>|<c, n or s>` → events, events
   * carrying `properties.revenue`, and its sum in micro-units: what the dimension counters
   * must hold when the tenant counts `properties.plan` and measures `properties.revenue`.
   */
  readonly planCounts: Map<string, number>;
  total: number;
}

/** The dimension and the measure whose counters a dataset's known answers include (`ProcessedState.declare`). */
export const DATASET_DIMENSION = 'properties.plan';
export const DATASET_MEASURE = 'properties.revenue';

/** A tenant's known answers before any event. */
export const noEvents = (): ExpectedTenant => ({
  counts: new Map(),
  users: new Set(),
  usersByName: new Map(),
  planCounts: new Map(),
  total: 0,
});

/** Adds one event that must count, at `atMs` (its event time), to a tenant's known answers. */
export function expectEvent(wanted: ExpectedTenant, atMs: number, event: SegmentEvent): void {
  const name = countedNameOf(event);
  const countKey = `${bucketOf(atMs, 'minute')}|${name}`;
  wanted.counts.set(countKey, (wanted.counts.get(countKey) ?? 0) + 1);
  wanted.users.add(userKeyOf(event));
  const named = wanted.usersByName.get(name) ?? new Set<string>();
  named.add(userKeyOf(event));
  wanted.usersByName.set(name, named);
  const properties = event.type === 'track' || event.type === 'page' ? (event.properties ?? {}) : {};
  const plan = typeof properties['plan'] === 'string' ? properties['plan'] : NONE_VALUE;
  const at = `${bucketOf(atMs, 'minute')}|${name}|${plan}`;
  const add = (kind: string, by: number) =>
    wanted.planCounts.set(`${at}|${kind}`, (wanted.planCounts.get(`${at}|${kind}`) ?? 0) + by);
  add('c', 1);
  const revenue = properties['revenue'];
  const micros = typeof revenue === 'number' ? measureMicrosOf(revenue) : undefined;
  if (micros !== undefined) {
    add('n', 1);
    add('s', micros);
  }
  wanted.total++;
}

/** A tenant's known counts by counted name, over all minutes. */
export function countsByName(expected: ExpectedTenant): Map<string, number> {
  const byName = new Map<string, number>();
  for (const [key, n] of expected.counts) {
    const name = key.slice(key.indexOf('|') + 1);
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  return byName;
}

export interface PoisonMessage {
  readonly key: string;
  readonly reason: string;
}

export interface Dataset {
  /** Everything to produce, duplicates and poison mixed in. */
  readonly messages: Message[];
  readonly expected: Map<TenantId, ExpectedTenant>;
  readonly poison: PoisonMessage[];
}

/** A deterministic generator, so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

// Names with characters a store could stumble on: dots and dollars (MongoDB field rules), braces (Redis hash tags).
export const TRACK_NAMES = ['Signed Up', 'Order Completed', 'Button {Clicked}', 'cart.item $added'];

/** A track event's properties: keys a store could stumble on, a plan (or none) and now and then a revenue. */
function trackProperties(i: number, rnd: () => number): Record<string, unknown> {
  const plan = rnd();
  return {
    n: i,
    'a.b': 1,
    $c: 2,
    ...(plan < 0.4 ? { plan: 'pro' } : plan < 0.8 ? { plan: 'free' } : {}),
    ...(rnd() < 0.5 ? { revenue: Math.round(rnd() * 100_000) / 100 } : {}),
  };
}

/**
 * Event envelopes as ingest-api would publish them, with known answers: several tenants,
 * duplicates (some through other partitions), late events and poison of every kind.
 */
export function makeDataset(options: DatasetOptions, seed = Date.now()): Dataset {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const tenants =
    typeof options.tenants === 'number'
      ? Array.from({ length: options.tenants }, () => newTenantId())
      : options.tenants;
  const expected = new Map<TenantId, ExpectedTenant>(tenants.map((t) => [t, noEvents()]));
  const messages: Message[] = [];
  const now = Date.now();

  for (let i = 0; i < options.events; i++) {
    const tenantId = pick(tenants);
    const late = rnd() < options.lateShare;
    const at = late ? now - (2 + rnd() * 4) * 3_600_000 : now - rnd() * (options.spreadMs ?? 120_000);
    const identity = rnd() < 0.8 ? { userId: `user-${Math.floor(rnd() * 400)}` } : { anonymousId: randomUUID() };
    const kind = rnd();
    const messageId = randomUUID();
    const event: SegmentEvent =
      kind < 0.75
        ? { type: 'track', event: pick(TRACK_NAMES), messageId, ...identity, properties: trackProperties(i, rnd) }
        : kind < 0.9
          ? { type: 'page', name: 'Home', messageId, ...identity }
          : { type: 'identify', messageId, ...identity, traits: { plan: 'pro' } };
    const envelope: EventEnvelopeV1 = {
      v: EVENT_ENVELOPE_VERSION,
      tenantId,
      messageId,
      receivedAt: new Date(now).toISOString(),
      timestamp: new Date(at).toISOString(),
      requestId: `req-${seed}-${Math.floor(i / 100)}`,
      event,
    };
    const message = envelopeMessage(envelope, `${tenantId}:${'userId' in identity ? identity.userId : ''}`);
    messages.push(message);
    if (rnd() < options.duplicateShare) {
      // A client retry: same event again. Half go through another partition (another key).
      messages.push(rnd() < 0.5 ? message : { ...message, key: `${message.key as string}:retry` });
    }
    expectEvent(expected.get(tenantId) as ExpectedTenant, at, event);
  }

  const poison: PoisonMessage[] = [];
  const poisonTenant = tenants[0] as TenantId;
  if (options.poison > 0 && typeof options.tenants !== 'number') throw new Error('poison is for made-up tenants only');
  /** A well-formed envelope of the poison tenant's track event, for the kinds that break something else. */
  const poisonTrack = (key: string, event: string): Message =>
    envelopeMessage(
      {
        v: EVENT_ENVELOPE_VERSION,
        tenantId: poisonTenant,
        messageId: key,
        receivedAt: new Date(now).toISOString(),
        timestamp: new Date(now).toISOString(),
        event: { type: 'track', event, userId: 'x', messageId: key },
      },
      key,
    );
  const poisonKinds: ((key: string) => Message & { reason: string })[] = [
    (key) => ({ key, value: '{"v":1,"tenantId":', reason: 'not_json' }),
    (key) => ({ key, value: null, reason: 'empty' }),
    (key) => ({
      key,
      value: JSON.stringify({ v: 1, tenantId: poisonTenant, messageId: key }),
      reason: 'invalid_envelope',
    }),
    (key) => ({
      key,
      value: JSON.stringify({ v: 2, tenantId: poisonTenant, messageId: key }),
      headers: { 'tally-envelope-version': '2' },
      reason: 'unknown_version',
    }),
    (key) => {
      const other = poisonTrack(key, 'Signed Up');
      return { ...other, headers: { ...other.headers, 'tally-tenant-id': newTenantId() }, reason: 'tenant_mismatch' };
    },
    // A lone surrogate (a legal JSON escape) in the name: once retried for ever as "waiting for
    // redis" (URI-encoding the key threw), stopping the partition for every tenant.
    (key) => ({ ...poisonTrack(key, 'x\ud800'), reason: 'invalid_envelope' }),
    // U+0000: PostgreSQL (under FerretDB) cannot store it, and its error reads like a store that is down.
    (key) => ({ ...poisonTrack(key, 'x\u0000'), reason: 'invalid_envelope' }),
  ];
  for (let i = 0; i < options.poison; i++) {
    const key = `poison-${seed}-${i}`;
    const { reason, ...message } = (poisonKinds[i % poisonKinds.length] as (k: string) => Message & { reason: string })(
      key,
    );
    poison.push({ key, reason });
    messages.push(message);
  }

  // Shuffle, so duplicates and poison arrive anywhere in the stream.
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [messages[i], messages[j]] = [messages[j] as Message, messages[i] as Message];
  }
  return { messages, expected, poison };
}

/** A Kafka message carrying an envelope, as ingest-api sends it: keyed, no headers. */
export function envelopeMessage(envelope: EventEnvelopeV1, key: string): Message {
  return { key, value: JSON.stringify(envelope) };
}
