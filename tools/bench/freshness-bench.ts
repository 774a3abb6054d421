import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createKafkaClient } from '@tally/kafka';
import { sleep } from '../stack/managed-process';
import type { StackConfig } from '../stack/stack-config';
import {
  benchApp,
  createTenant,
  disableTenant,
  peakRssOf,
  startBenchApp,
  waitReady,
  type CreatedTenant,
} from './bench-apps';
import { percentile, runFixedRate } from './load';
import { trackEvent } from './payloads';
import { positionGroup, topicEnd } from './processor-bench';

const INGEST_PORT = 3120;
const AGGREGATION_PORT = 3121;
const WORKER_PORT = 3122;
/** The sustained load of PRODUCT.md's freshness target. */
const LOAD_EVENTS_PER_SEC = 5_000;
const LOAD_BATCH = 100;
const LOAD_MAX_IN_FLIGHT = 16;
/** One probe every 250 ms: each one is timed from its 200 until it shows in a query and on /v1/live. */
const PROBE_INTERVAL_MS = 250;
/** How often the observer asks `/v1/timeseries` (as a dashboard polling hard would). */
const QUERY_POLL_MS = 100;
/** After the load stops, how long probes not yet seen may take before they count as never seen. */
const SETTLE_MS = 30_000;
const PROBE_EVENT = 'Freshness Probe';
const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

type Log = (line: string) => void;

export interface FreshnessResult {
  readonly seconds: number;
  readonly load: {
    readonly targetEventsPerSec: number;
    readonly acceptedEventsPerSec: number;
    readonly non2xx: number;
    readonly errors: number;
    /** Batches due in the window but never sent (every connection still busy): the load fell behind. */
    readonly unsent: number;
    readonly acceptedEvents: number;
  };
  readonly probes: number;
  /** Probes never seen within SETTLE_MS of the load's end (in the query or on the live stream). */
  readonly unseen: { readonly query: number; readonly live: number };
  /** ms from each probe's 200 until it showed: in the query, on the live stream, in both. */
  readonly queryMs: Percentiles;
  readonly liveMs: Percentiles;
  readonly bothMs: Percentiles;
  /** Events accepted but not yet worked by the worker when the load stopped. */
  readonly backlogAtEnd: number;
  readonly peakRssBytes: { readonly ingest: number; readonly processor: number; readonly aggregation: number };
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * End-to-end freshness under load: ingest-api, processor-worker and aggregation-api as
 * separate processes; one tenant sends 5,000 events/s (batches of 100, open loop) while a
 * second tenant sends a probe event every 250 ms. Each probe is timed from its 200
 * response until `/v1/timeseries` (polled every 100 ms, through the answer cache as any
 * client) counts it, and until a `/v1/live` frame does. Probes come one user, one
 * partition, in order, so "the n-th probe is visible" is "the count reached n".
 */
export async function benchFreshness(stack: StackConfig, seconds: number, log: Log): Promise<FreshnessResult> {
  const adminToken = randomBytes(24).toString('hex');
  const ingest = benchApp('bench-fresh', 'ingest-api');
  const worker = benchApp('bench-fresh', 'processor-worker');
  const aggregation = benchApp('bench-fresh', 'aggregation-api');
  const apiUrl = `http://127.0.0.1:${AGGREGATION_PORT}`;
  const ingestUrl = `http://127.0.0.1:${INGEST_PORT}`;
  const workerUrl = `http://127.0.0.1:${WORKER_PORT}`;
  const tenants: CreatedTenant[] = [];
  let liveStream: { close(): void } | undefined;
  try {
    await Promise.all([aggregation.stop(), ingest.stop(), worker.stop()]);
    const kafka = createKafkaClient({ brokers: stack.kafka.brokers, clientId: 'tally-bench' });
    const groupId = `bench-freshness-${Date.now().toString(36)}`;
    await positionGroup(kafka, groupId, await topicEnd(kafka));
    startBenchApp(aggregation, 'aggregation-api', {
      AGGREGATION_API_PORT: String(AGGREGATION_PORT),
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
    });
    startBenchApp(worker, 'processor-worker', {
      PROCESSOR_GROUP_ID: groupId,
      PROCESSOR_WORKER_PORT: String(WORKER_PORT),
      LOG_LEVEL: 'warn',
    });
    startBenchApp(ingest, 'ingest-api', { INGEST_API_PORT: String(INGEST_PORT), LOG_LEVEL: 'warn' });
    await Promise.all([
      waitReady('aggregation-api', aggregation, apiUrl),
      waitReady('processor-worker', worker, workerUrl),
      waitReady('ingest-api', ingest, ingestUrl),
    ]);
    const loadTenant = await createTenant(apiUrl, adminToken, 'bench-freshness-load');
    const probeTenant = await createTenant(apiUrl, adminToken, 'bench-freshness-probe');
    tenants.push(loadTenant, probeTenant);

    const startedAt = Date.now();
    const windowFrom = new Date(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS).toISOString();
    const probesOk: number[] = [];
    const seenInQuery: number[] = [];
    const seenLive: number[] = [];
    const markSeen = (seen: number[], count: number) => {
      const now = Date.now();
      while (seen.length < count) seen.push(now);
    };

    // The live stream of the probe tenant: a second's count only grows, so the visible total since
    // the start is the sum of the latest value seen for each second since then.
    const bySecond = new Map<number, number>();
    const firstSecond = Math.floor(startedAt / SECOND_MS);
    liveStream = openLive(apiUrl, probeTenant.readKey, (frame) => {
      const last = Math.floor(Date.parse(frame.at) / SECOND_MS);
      frame.perSecond.forEach((n, k) => {
        const second = last - frame.perSecond.length + 1 + k;
        if (second >= firstSecond) bySecond.set(second, Math.max(n, bySecond.get(second) ?? 0));
      });
      let total = 0;
      for (const n of bySecond.values()) total += n;
      markSeen(seenLive, total);
    });

    let stopQuerying = false;
    const querying = (async () => {
      const path = () =>
        `/v1/timeseries?from=${windowFrom}&to=${new Date(Date.now() + 2 * MINUTE_MS).toISOString()}` +
        `&interval=minute&event=${encodeURIComponent(PROBE_EVENT)}`;
      while (!stopQuerying) {
        const asked = Date.now();
        const response = await fetch(`${apiUrl}${path()}`, {
          headers: { authorization: `Bearer ${probeTenant.readKey}` },
        });
        if (response.status === 200) markSeen(seenInQuery, ((await response.json()) as { total: number }).total);
        else await response.text();
        await sleep(Math.max(0, QUERY_POLL_MS - (Date.now() - asked)));
      }
    })();

    log(`freshness: ${LOAD_EVENTS_PER_SEC} events/s for ${seconds} s, a probe every ${PROBE_INTERVAL_MS} ms`);
    const probing = (async () => {
      const auth = `Bearer ${probeTenant.writeKey}`;
      for (let i = 0; Date.now() - startedAt < seconds * SECOND_MS; i++) {
        const due = startedAt + i * PROBE_INTERVAL_MS;
        await sleep(Math.max(0, due - Date.now()));
        const response = await fetch(`${ingestUrl}/v1/track`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ event: PROBE_EVENT, userId: 'prober', messageId: randomUUID() }),
        });
        await response.text();
        if (response.status !== 200) throw new Error(`probe: ingest-api answered ${response.status}`);
        probesOk.push(Date.now());
      }
    })();
    const load = await sendLoad(ingestUrl, loadTenant.writeKey, seconds);
    await probing;
    const backlogAtEnd = load.acceptedEvents + probesOk.length - (await workedByWorker(workerUrl));

    const deadline = Date.now() + SETTLE_MS;
    while ((seenInQuery.length < probesOk.length || seenLive.length < probesOk.length) && Date.now() < deadline) {
      await sleep(100);
    }
    stopQuerying = true;
    await querying;

    const delays = (seen: readonly number[]) =>
      probesOk.map((okAt, i) =>
        seen[i] === undefined ? Number.POSITIVE_INFINITY : Math.max(0, (seen[i] as number) - okAt),
      );
    const query = delays(seenInQuery);
    const live = delays(seenLive);
    return {
      seconds,
      load,
      probes: probesOk.length,
      unseen: {
        query: query.filter((d) => !Number.isFinite(d)).length,
        live: live.filter((d) => !Number.isFinite(d)).length,
      },
      queryMs: percentiles(query),
      liveMs: percentiles(live),
      bothMs: percentiles(query.map((d, i) => Math.max(d, live[i] as number))),
      backlogAtEnd,
      peakRssBytes: { ingest: peakRssOf(ingest), processor: peakRssOf(worker), aggregation: peakRssOf(aggregation) },
    };
  } finally {
    liveStream?.close();
    for (const tenant of tenants) await disableTenant(apiUrl, adminToken, tenant.tenantId);
    await Promise.all([aggregation.stop(), ingest.stop(), worker.stop()]);
  }
}

/** Open loop (`runFixedRate`): a batch of LOAD_BATCH events is due every LOAD_BATCH / rate seconds. */
async function sendLoad(ingestUrl: string, writeKey: string, seconds: number): Promise<FreshnessResult['load']> {
  const startedAt = Date.now();
  const result = await runFixedRate({
    origin: ingestUrl,
    path: () => '/v1/batch',
    body: (i) =>
      JSON.stringify({ batch: Array.from({ length: LOAD_BATCH }, (_, j) => trackEvent(i * LOAD_BATCH + j)) }),
    headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
    ratePerSec: LOAD_EVENTS_PER_SEC / LOAD_BATCH,
    seconds,
    maxInFlight: LOAD_MAX_IN_FLIGHT,
  });
  const acceptedEvents = (result.sent - result.non2xx - result.errors) * LOAD_BATCH;
  return {
    targetEventsPerSec: LOAD_EVENTS_PER_SEC,
    acceptedEventsPerSec: Math.round(acceptedEvents / ((Date.now() - startedAt) / SECOND_MS)),
    non2xx: result.non2xx,
    errors: result.errors,
    unsent: result.unsent,
    acceptedEvents,
  };
}

interface LiveFrame {
  readonly at: string;
  readonly perSecond: readonly number[];
}

/** A `/v1/live` stream; `onFrame` gets every frame as it arrives. */
function openLive(apiUrl: string, readKey: string, onFrame: (frame: LiveFrame) => void): { close(): void } {
  const req = request(
    `${apiUrl}/v1/live`,
    { headers: { authorization: `Bearer ${readKey}`, accept: 'text/event-stream' } },
    (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('');
          if (data) onFrame(JSON.parse(data) as LiveFrame);
        }
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  return { close: () => req.destroy() };
}

/** Messages the worker has worked so far, whatever the outcome (`processor_events_total`). */
async function workedByWorker(workerUrl: string): Promise<number> {
  const text = await (await fetch(`${workerUrl}/metrics`)).text();
  let worked = 0;
  for (const [, value] of text.matchAll(/^processor_events_total\{[^}]*\} (\d+)/gm)) worked += Number(value);
  return worked;
}

/** Over every probe: one never seen counts as infinitely late (null in the JSON report). */
function percentiles(values: readonly number[]): Percentiles {
  const at = (q: number) => {
    const v = percentile(values, q);
    return Number.isFinite(v) ? Math.round(v) : null;
  };
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}
