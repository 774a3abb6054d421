import { randomUUID } from 'node:crypto';
import { EVENT_ENVELOPE_VERSION } from '@tally/contracts';
import type { CreatedTenant } from '@tally/tenancy';
import { sleep, type TestEnvironment } from '@tally/testing';
import { envelopeMessage } from './event-dataset';
import { openLive, type LiveAttempt } from './raw-http';
import { produceToEventsTopic } from './worker-group';

/**
 * What a hostile tenant does with its own write and read keys, within its quota: one
 * function per mechanism issue 17 names. Each returns every answer it got, so the test
 * can check that the tenant was refused with a reason and what it was let through.
 */

/** One HTTP answer: status and parsed body. */
export interface Answer {
  readonly status: number;
  readonly body: { readonly accepted?: number; readonly message?: string; readonly rejected?: Rejected[] };
}

export interface Rejected {
  readonly index: number;
  readonly reason: string;
}

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

async function postBatch(ingestUrl: string, writeKey: string, body: string): Promise<Answer> {
  const response = await fetch(`${ingestUrl}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const track = (event: string, userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event,
  userId,
  messageId: randomUUID(),
  ...extra,
});

/**
 * Names no pipeline stage can carry, both legal JSON escapes: a lone UTF-16 surrogate
 * (it once stopped every partition it reached) and U+0000 (PostgreSQL cannot store it).
 * `JSON.stringify` writes both as escapes.
 */
const POISON_NAMES = ['x\ud800', 'x\u0000'] as const;
const poisonName = (i: number) => `${POISON_NAMES[i % POISON_NAMES.length] as string}${i}`;

export const poisonThroughIngest = (ingestUrl: string, tenant: CreatedTenant, events = 128): Promise<Answer> =>
  postBatch(
    ingestUrl,
    tenant.writeKey,
    JSON.stringify({ batch: Array.from({ length: events }, (_, i) => track(poisonName(i), 'poisoner')) }),
  );

/**
 * The same poison written straight to the events topic, as a message that got past
 * ingest would be: well-formed envelopes of the tenant, keyed like ingest-api keys them.
 * Resolves with the keys, to find them on the dead-letter topic.
 */
export async function poisonThroughKafka(env: TestEnvironment, tenant: CreatedTenant, count = 32): Promise<string[]> {
  const now = new Date().toISOString();
  const keys = Array.from({ length: count }, (_, i) => `${tenant.tenantId}:poisoner-${randomUUID()}-${i}`);
  await produceToEventsTopic(
    env,
    keys.map((key, i) =>
      envelopeMessage(
        {
          v: EVENT_ENVELOPE_VERSION,
          tenantId: tenant.tenantId,
          messageId: key,
          receivedAt: now,
          timestamp: now,
          event: { type: 'track', event: poisonName(i), userId: 'poisoner', messageId: key },
        },
        key,
      ),
    ),
  );
  return keys;
}

/**
 * The longest names allowed (256 characters of three UTF-8 bytes each), all different:
 * the most each name can cost. `distinct` names in requests of 100.
 */
export async function sendDistinctNames(
  ingestUrl: string,
  tenant: CreatedTenant,
  prefix: string,
  distinct: number,
): Promise<Answer[]> {
  const name = (i: number) => `${prefix}-${i}-`.padEnd(256, '€');
  const requests: Promise<Answer>[] = [];
  for (let first = 0; first < distinct; first += 100) {
    const batch = Array.from({ length: Math.min(100, distinct - first) }, (_, j) => track(name(first + j), `u${j}`));
    requests.push(postBatch(ingestUrl, tenant.writeKey, JSON.stringify({ batch })));
  }
  return Promise.all(requests);
}

/** Events dated where no bucket should ever be made for them: year 1, and 500 days ago. */
export const sendBackDated = (ingestUrl: string, tenant: CreatedTenant): Promise<Answer> => {
  const long = new Date(Date.now() - 500 * 86_400_000).toISOString();
  const batch = Array.from({ length: 50 }, (_, i) =>
    track('Back Dated', `u${i}`, { timestamp: i % 2 === 0 ? '0001-01-01T00:00:00.000Z' : long }),
  );
  return postBatch(ingestUrl, tenant.writeKey, JSON.stringify({ batch }));
};

/** Concurrent requests just under 500 KB each, for one user (so all go to one partition). */
export function sendLargeRequests(ingestUrl: string, tenant: CreatedTenant, requests = 6): Promise<Answer[]> {
  const blob = 'x'.repeat(30_000);
  const body = () =>
    JSON.stringify({ batch: Array.from({ length: 15 }, () => track('Large', 'one-user', { properties: { blob } })) });
  return Promise.all(Array.from({ length: requests }, () => postBatch(ingestUrl, tenant.writeKey, body())));
}

/** What a storm of queries was answered, by kind. */
export interface QueryStorm {
  /** 400-day minute series in a zone with DST: refused before any work. */
  readonly tooLarge: Answer[];
  /** Allowed but uncached (each `from` differs): over the tenant's concurrency, 429. */
  readonly expensive: Answer[];
}

async function query(aggregationUrl: string, readKey: string, path: string): Promise<Answer> {
  const response = await fetch(`${aggregationUrl}${path}`, {
    headers: { authorization: `Bearer ${readKey}` },
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/**
 * Until `signal` aborts, in waves: four 400-day minute series in Europe/Paris and twelve
 * 400-day daily series, each of another event name so that no answer comes from the cache.
 */
export async function stormQueries(
  aggregationUrl: string,
  tenant: CreatedTenant,
  signal: AbortSignal,
): Promise<QueryStorm> {
  const storm = { tooLarge: [] as Answer[], expensive: [] as Answer[] };
  const window = `from=${new Date(Date.now() - 399 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`;
  for (let wave = 0; !signal.aborted; wave++) {
    const series = (interval: string, i: number) =>
      `/v1/timeseries?event=storm-${wave}-${i}&interval=${interval}&tz=Europe/Paris&${window}`;
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => query(aggregationUrl, tenant.readKey, series('minute', i))),
      ...Array.from({ length: 12 }, (_, i) => query(aggregationUrl, tenant.readKey, series('day', 4 + i))),
    ]);
    storm.tooLarge.push(...answers.slice(0, 4));
    storm.expensive.push(...answers.slice(4));
    await sleep(200);
  }
  return storm;
}

/** As many `/v1/live` streams as asked for, each on its own connection; the refused ones are answered at once. */
export const openLiveStreams = (
  aggregationPort: number,
  tenant: CreatedTenant,
  count: number,
): Promise<LiveAttempt[]> =>
  Promise.all(Array.from({ length: count }, () => openLive(aggregationPort, tenant.readKey)));

/** Where the attacks go, and as whom. */
export interface AttackTarget {
  readonly env: TestEnvironment;
  readonly ingestUrl: string;
  readonly aggregationUrl: string;
  readonly aggregationPort: number;
  readonly tenant: CreatedTenant;
  /** New distinct names per round. */
  readonly namesPerRound: number;
  /** Live streams the tenant may hold: one more is asked for. */
  readonly liveStreamsAllowed: number;
}

/** Everything the tenant was answered in one round. */
export interface AttackRound {
  readonly poisonIngest: Answer;
  readonly poisonKafkaKeys: readonly string[];
  readonly names: readonly Answer[];
  readonly backDated: Answer;
  readonly large: readonly Answer[];
  readonly storm: QueryStorm;
  readonly live: readonly { readonly status: number; readonly body: string }[];
}

/** Every attack at once, staggered over the first seconds; queries and live streams until `signal`. */
export async function attackOnce(target: AttackTarget, round: number, signal: AbortSignal): Promise<AttackRound> {
  const { env, ingestUrl, aggregationUrl, tenant } = target;
  const after = <T>(ms: number, act: () => Promise<T>) => sleep(ms).then(act);
  const holdLiveStreams = async () => {
    const attempts = await openLiveStreams(target.aggregationPort, tenant, target.liveStreamsAllowed + 1);
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    for (const attempt of attempts) attempt.close();
    return attempts.map(({ status, body }) => ({ status, body }));
  };
  const [poisonIngest, poisonKafkaKeys, names, backDated, large, storm, live] = await Promise.all([
    poisonThroughIngest(ingestUrl, tenant),
    poisonThroughKafka(env, tenant),
    after(1_000, () => sendDistinctNames(ingestUrl, tenant, `round-${round}`, target.namesPerRound)),
    after(2_000, () => sendBackDated(ingestUrl, tenant)),
    after(3_000, () => sendLargeRequests(ingestUrl, tenant)),
    stormQueries(aggregationUrl, tenant, signal),
    holdLiveStreams(),
  ]);
  return { poisonIngest, poisonKafkaKeys, names, backDated, large, storm, live };
}
