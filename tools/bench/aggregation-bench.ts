import { randomBytes } from 'node:crypto';
import { RAW_EVENTS_COLLECTION, ROLLUPS_COLLECTION, dirtyMinutesOf, rollupKeys } from '@tally/analytics-store';
import { createKafkaClient } from '@tally/kafka';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { parseTenantId } from '@tally/tenant-scope';
import { sleep } from '../stack/managed-process';
import { httpOk, waitUntil } from '../stack/readiness';
import type { StackConfig } from '../stack/stack-config';
import {
  benchApp,
  createTenant,
  disableTenant,
  peakRssOf,
  startBenchApp,
  waitReady,
  withCpu,
  type CreatedTenant,
} from './bench-apps';
import { startBaseline } from './baseline';
import { runFixedRate, type FixedRateResult } from './load';
import { EVENT_NAMES, trackEvent } from './payloads';
import { positionGroup, topicEnd } from './processor-bench';

const AGGREGATION_PORT = 3101;
const SEED_INGEST_PORT = 3110;
const SEED_WORKER_PORT = 3112;
const BASELINE_PORT = 3198;
/** The rate of the query target (cached p99 < 10 ms at 1,000 queries/s). */
const RATE_PER_SEC = 1_000;
const MAX_IN_FLIGHT = 64;
const SEED_EVENTS = 20_000;
const SEED_BATCH = 500;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Seeded events lie in [now − 48 h, now − 5 min): every one of them in a closed minute. */
const SEED_SPAN_MS = 48 * HOUR_MS;
const SEED_END_MARGIN_MS = 5 * MINUTE_MS;
/** Answers read from MongoDB one at a time, each needing a rollup the app has not read yet. */
const COLD_SAMPLES = 5;
/** `POST /v1/query` scans of the seeded events, one at a time, each a new question. */
const SCAN_SAMPLES = 5;

type Log = (line: string) => void;

export interface AggregationResult {
  readonly seededEvents: number;
  /** The measured question, as sent. */
  readonly query: string;
  readonly answerBytes: number;
  /** Whether the answers matched the seeded events exactly (whole span, and the measured window). */
  readonly answersExact: boolean;
  readonly seedSeconds: number;
  readonly rollupSeconds: number;
  /** Rollup documents of every tenant when measured: FerretDB scans them all for each cold answer. */
  readonly rollupDocuments: number;
  /**
   * Answers whose rollups come from MongoDB (the first after start, then windows reaching
   * an hour further back each), asked one at a time: what an answer costs before the app
   * holds the rollups in process.
   */
  readonly coldMs: readonly number[];
  readonly cached: FixedRateResult;
  readonly uncached: FixedRateResult;
  readonly baseline: FixedRateResult;
  readonly peakRssBytes: number;
  /** aggregation-api's CPU during each measured scenario, in cores (1 = one core busy all the time). */
  readonly appCores: { readonly cached: number; readonly uncached: number };
  readonly scan: ScanResult;
}

/** `POST /v1/query` answered by a scan of the seeded raw events (a breakdown, uniques and a sum), one at a time. */
export interface ScanResult {
  /** Raw events in the scanned window (all of the tenant's). */
  readonly events: number;
  readonly ms: readonly number[];
  /** `events` over the median time of one scan. */
  readonly eventsPerSec: number;
  /** Documents in the whole raw-events collection: FerretDB reads past other tenants' rows too. */
  readonly collectionDocuments: number;
  /** Whether each answer's totals equal the seeded events. */
  readonly exact: boolean;
}

/**
 * aggregation-api query latency at a fixed 1,000 queries/s, open loop. A fresh tenant
 * gets 20,000 events over the last two days through the real path (ingest-api → Kafka →
 * processor-worker); a fresh aggregation-api then rolls them up with its periodic job,
 * and is asked about 24 hourly buckets of a closed day: cached (the same question every
 * time), uncached (a different question every time, same rollups, held in process by then),
 * beside a bare Fastify server answering a constant body of the same size; and a few cold
 * answers one at a time, whose rollups come from MongoDB.
 */
export async function benchAggregation(
  stack: StackConfig,
  timing: { seconds: number; warmupSeconds: number },
  log: Log,
): Promise<AggregationResult> {
  const adminToken = randomBytes(24).toString('hex');
  const aggregation = benchApp('bench-agg', 'aggregation-api');
  const ingest = benchApp('bench-agg', 'ingest-api');
  const worker = benchApp('bench-agg', 'processor-worker');
  const apiUrl = `http://127.0.0.1:${AGGREGATION_PORT}`;
  const redis = createRedisClient(stack.redis, 'tally-bench');
  let baseline: ReturnType<typeof startBaseline> | undefined;
  let tenant: CreatedTenant | undefined;
  const startAggregation = async (env: Record<string, string>) => {
    startBenchApp(aggregation, 'aggregation-api', {
      AGGREGATION_API_PORT: String(AGGREGATION_PORT),
      ADMIN_TOKEN: adminToken,
      // The bench is one tenant asking 1,000 different questions a second: it measures the
      // replica's capacity, not the per-tenant bound (which would answer most of them 429).
      QUERY_MAX_CONCURRENT_PER_TENANT: '1000',
      ...env,
    });
    await waitReady('aggregation-api', aggregation, apiUrl);
  };
  try {
    await Promise.all([aggregation.stop(), ingest.stop(), worker.stop()]);
    // While seeding, an instance whose periodic aggregation stays out of the way (at most one run, at
    // start, before any event): it provisions the tenant and tells when every event is counted.
    await startAggregation({ AGGREGATION_INTERVAL_MS: '600000' });
    tenant = await createTenant(apiUrl, adminToken, 'bench-aggregation');
    const { readKey, writeKey } = tenant;
    const tenantId = parseTenantId(tenant.tenantId);
    if (!tenantId) throw new Error(`admin API returned an odd tenant id: ${tenant.tenantId}`);
    log(`aggregation: tenant ${tenant.tenantId}; seeding ${SEED_EVENTS} events through ingest-api and the worker`);

    // Seed through the real path; a new consumer group at the topic's end sees only these events (and
    // whatever else arrives meanwhile), whatever other workers are doing.
    const kafka = createKafkaClient({ brokers: stack.kafka.brokers, clientId: 'tally-bench' });
    const groupId = `bench-aggregation-${Date.now().toString(36)}`;
    await positionGroup(kafka, groupId, await topicEnd(kafka));
    startBenchApp(worker, 'processor-worker', {
      PROCESSOR_GROUP_ID: groupId,
      PROCESSOR_WORKER_PORT: String(SEED_WORKER_PORT),
      LOG_LEVEL: 'warn',
    });
    startBenchApp(ingest, 'ingest-api', {
      INGEST_API_PORT: String(SEED_INGEST_PORT),
      QUOTA_INGEST_EVENTS_PER_SECOND: '10000000',
      QUOTA_INGEST_BURST: '10000000',
      LOG_LEVEL: 'warn',
    });
    await Promise.all([
      waitReady('processor-worker', worker, `http://127.0.0.1:${SEED_WORKER_PORT}`),
      waitReady('ingest-api', ingest, `http://127.0.0.1:${SEED_INGEST_PORT}`),
    ]);

    const seedStartedAt = Date.now();
    const seeded = seedTimestamps(seedStartedAt);
    await sendEvents(`http://127.0.0.1:${SEED_INGEST_PORT}`, writeKey, seeded);
    const spanFrom = new Date(Math.floor((seeded[0] ?? 0) / MINUTE_MS) * MINUTE_MS).toISOString();
    await poll('every seeded event answered by aggregation-api', 300_000, async () => {
      const answer = await query<{ totalEvents: number }>(
        apiUrl,
        readKey,
        `/aggregation?from=${spanFrom}&to=${new Date().toISOString()}`,
      );
      return answer.body.totalEvents >= SEED_EVENTS;
    });
    const seedSeconds = (Date.now() - seedStartedAt) / 1_000;
    await Promise.all([ingest.stop(), worker.stop(), aggregation.stop()]);

    // The measured instance: fresh (its peak RSS is its own), with the default aggregation interval;
    // its job rolls the seeded minutes up once, all written already.
    log('aggregation: waiting for the periodic aggregation to roll every seeded minute up');
    const rollupStartedAt = Date.now();
    await startAggregation({});
    await poll(
      'rollups of every seeded minute',
      180_000,
      async () => dirtyMinutesOf(await redis.hkeys(rollupKeys.dirtyMinutes(tenantId))).length === 0,
      () => aggregation.lastLogLines(10),
    );
    const rollupSeconds = (Date.now() - rollupStartedAt) / 1_000;
    const rollupDocuments = await storedDocuments(stack, ROLLUPS_COLLECTION);

    // The measured question: 24 hourly buckets ending at the last whole hour but one (closed, cached long).
    const to0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
    const from0 = to0 - 24 * HOUR_MS;
    const cachedPath = timeseriesPath(from0, to0);
    const first = await query<{ total: number }>(apiUrl, readKey, cachedPath);
    const coldMs = [first.ms];
    for (let hours = 20; hours < 20 + COLD_SAMPLES; hours++) {
      coldMs.push((await query(apiUrl, readKey, timeseriesPath(from0 - hours * HOUR_MS, to0 - hours * HOUR_MS))).ms);
    }
    const whole = await query<{ totalEvents: number }>(
      apiUrl,
      readKey,
      `/aggregation?from=${spanFrom}&to=${new Date().toISOString()}`,
    );
    const expected = seeded.filter((t) => t >= from0 && t < to0).length;
    const answersExact = first.body.total === expected && whole.body.totalEvents === SEED_EVENTS;
    if (!answersExact) {
      log(
        `aggregation: WARNING answers differ from the seeded events: window ${first.body.total} (expected ${expected}), ` +
          `whole span ${whole.body.totalEvents} (expected ${SEED_EVENTS})`,
      );
    }
    const headers = { authorization: `Bearer ${readKey}` };
    const at = (origin: string, path: (i: number) => string, firstIndex = 0) => ({
      origin,
      path,
      headers,
      ratePerSec: RATE_PER_SEC,
      maxInFlight: MAX_IN_FLIGHT,
      firstIndex,
    });

    log(`aggregation: cached (the same question), warm-up ${timing.warmupSeconds} s, then ${timing.seconds} s`);
    await runFixedRate({ ...at(apiUrl, () => cachedPath), seconds: timing.warmupSeconds });
    const cached = await withCpu(aggregation, () =>
      runFixedRate({ ...at(apiUrl, () => cachedPath), seconds: timing.seconds }),
    );

    baseline = startBaseline(BASELINE_PORT, { BASELINE_QUERY_BODY: first.text });
    const baselineUrl = `http://127.0.0.1:${BASELINE_PORT}`;
    await waitUntil('baseline', () => httpOk(`${baselineUrl}${cachedPath}`), { timeoutMs: 30_000 });
    log(`aggregation: baseline (constant ${Buffer.byteLength(first.text)}-byte body), ${timing.seconds} s`);
    await runFixedRate({ ...at(baselineUrl, () => cachedPath), seconds: timing.warmupSeconds });
    const base = await runFixedRate({ ...at(baselineUrl, () => cachedPath), seconds: timing.seconds });

    log(`aggregation: uncached (a new question every request), ${timing.seconds} s`);
    // Every question different (so the answer cache never has it), every one reading the same 24 hourly
    // rollups: `from` rounds down to its hour and `to` up to its hour, whatever their minutes; after
    // 3,600 minute pairs, an event filter (the seeded names, then names without events) makes new ones.
    const uncachedPath = (i: number) => {
      const variant = Math.floor(i / 3_600);
      const event = variant === 0 ? '' : `&event=${encodeURIComponent(EVENT_NAMES[variant - 1] ?? `Bench ${variant}`)}`;
      return `${timeseriesPath(from0 + (i % 60) * MINUTE_MS, to0 - (Math.floor(i / 60) % 60) * MINUTE_MS)}${event}`;
    };
    const warmupCount = RATE_PER_SEC * timing.warmupSeconds;
    await runFixedRate({ ...at(apiUrl, uncachedPath, 1), seconds: timing.warmupSeconds });
    const uncached = await withCpu(aggregation, () =>
      runFixedRate({ ...at(apiUrl, uncachedPath, 1 + warmupCount), seconds: timing.seconds }),
    );

    log(`aggregation: ${SCAN_SAMPLES} POST /v1/query scans of the ${SEED_EVENTS} seeded events, one at a time`);
    const scan = await measureScans(apiUrl, readKey, spanFrom, stack);

    return {
      seededEvents: SEED_EVENTS,
      scan,
      query: cachedPath,
      answerBytes: Buffer.byteLength(first.text),
      answersExact,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      rollupSeconds: Math.round(rollupSeconds * 10) / 10,
      rollupDocuments,
      coldMs,
      cached: cached.result,
      uncached: uncached.result,
      baseline: base,
      peakRssBytes: peakRssOf(aggregation),
      appCores: { cached: cached.cores, uncached: uncached.cores },
    };
  } finally {
    baseline?.kill('SIGTERM');
    if (tenant) await disableTenant(apiUrl, adminToken, tenant.tenantId);
    await Promise.all([aggregation.stop(), ingest.stop(), worker.stop()]);
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Event times spread evenly over the seeded span, oldest first. */
function seedTimestamps(nowMs: number): number[] {
  const end = nowMs - SEED_END_MARGIN_MS;
  const start = end - SEED_SPAN_MS;
  return Array.from({ length: SEED_EVENTS }, (_, i) => start + Math.floor((i * SEED_SPAN_MS) / SEED_EVENTS));
}

/** The events through ingest-api's `/v1/batch`, a few batches at a time; every one must be accepted. */
async function sendEvents(ingestUrl: string, writeKey: string, timestamps: readonly number[]): Promise<void> {
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const batches: string[] = [];
  for (let at = 0; at < timestamps.length; at += SEED_BATCH) {
    const events = timestamps
      .slice(at, at + SEED_BATCH)
      .map((t, j) => ({ ...trackEvent(at + j), timestamp: new Date(t).toISOString() }));
    batches.push(JSON.stringify({ batch: events }));
  }
  let next = 0;
  const sender = async () => {
    for (let body = batches[next++]; body !== undefined; body = batches[next++]) {
      const response = await fetch(`${ingestUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body,
      });
      const report = (await response.json()) as { accepted?: number; rejected?: unknown[] };
      if (response.status !== 200 || (report.rejected?.length ?? 0) > 0) {
        throw new Error(`ingest-api /v1/batch: ${response.status} ${JSON.stringify(report).slice(0, 500)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
}

const timeseriesPath = (fromMs: number, toMs: number): string =>
  `/v1/timeseries?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&interval=hour&tz=UTC`;

async function query<T>(apiUrl: string, readKey: string, path: string): Promise<{ body: T; text: string; ms: number }> {
  const startedAt = performance.now();
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${readKey}` } });
  const text = await response.text();
  const ms = Math.round((performance.now() - startedAt) * 10) / 10;
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 500)}`);
  return { body: JSON.parse(text) as T, text, ms };
}

async function poll(what: string, timeoutMs: number, done: () => Promise<boolean>, details?: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new Error(`aggregation: ${what}: not within ${timeoutMs / 1_000} s${details ? `\n${details()}` : ''}`);
    }
    await sleep(500);
  }
}

/**
 * A question only a scan answers (a breakdown by a property, uniques per value, a sum),
 * asked `SCAN_SAMPLES` times with a different `limit` each, so none comes from the cache.
 */
async function measureScans(apiUrl: string, readKey: string, from: string, stack: StackConfig): Promise<ScanResult> {
  const ms: number[] = [];
  let exact = true;
  for (let i = 0; i < SCAN_SAMPLES; i++) {
    const question = {
      from,
      to: new Date().toISOString(),
      metrics: ['events', 'uniques', 'sum:properties.price'],
      breakdown: ['properties.sku'],
      limit: 100 - i,
      path: 'scan',
    };
    const startedAt = performance.now();
    const response = await fetch(`${apiUrl}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(question),
    });
    const text = await response.text();
    ms.push(Math.round((performance.now() - startedAt) * 10) / 10);
    if (response.status !== 200) throw new Error(`POST /v1/query: ${response.status} ${text.slice(0, 500)}`);
    const answer = JSON.parse(text) as { totals: { events: number } };
    exact &&= answer.totals.events === SEED_EVENTS;
  }
  const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] as number;
  return {
    events: SEED_EVENTS,
    ms,
    eventsPerSec: Math.round(SEED_EVENTS / (median / 1_000)),
    collectionDocuments: await storedDocuments(stack, RAW_EVENTS_COLLECTION),
    exact,
  };
}

/** Documents in one collection, every tenant's: what FerretDB reads past for each cold answer or scan. */
async function storedDocuments(stack: StackConfig, collection: string): Promise<number> {
  const mongo = createMongoClient(stack.mongo, 'tally-bench');
  try {
    // eslint-disable-next-line no-restricted-syntax -- the bench reports the size of the whole store, every tenant's
    return await mongo.db(stack.mongo.database).collection(collection).estimatedDocumentCount();
  } finally {
    await mongo.close();
  }
}
