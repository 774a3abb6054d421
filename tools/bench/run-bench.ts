import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { provideTenant } from '../dev/demo-tenant';
import { httpOk, waitUntil } from '../stack/readiness';
import { stackUp } from '../stack/stack';
import { loadStackConfig } from '../stack/stack-config';
import { REPO_ROOT } from '../stack/stack-paths';
import { benchAggregation, type AggregationResult } from './aggregation-bench';
import { benchApp, startBenchApp } from './bench-apps';
import { BENCH_DIMENSIONS, countDimensionsForBench } from './bench-settings';
import { runKafkaCeiling, startBaseline, type KafkaCeilingResult } from './baseline';
import { benchFreshness, type FreshnessResult } from './freshness-bench';
import { runLoad, type FixedRateResult, type LoadResult } from './load';
import { benchProcessor, benchProcessorScaling, type ScalingResult } from './processor-bench';
import { batchBody, singleBody } from './payloads';
import type { TenantId } from '@tally/tenant-scope';

/**
 * `npm run bench [-- --quick]`: the performance figures of PRODUCT.md, each beside a
 * baseline measured in the same run on the same machine (our machines are shared and
 * noisy: absolute numbers drift, ratios much less). Writes bench/results/latest.json
 * and latest.md. Parts: ingest-api, processor-worker, aggregation-api, and end-to-end
 * freshness (the three together under a sustained load).
 */
const quick = process.argv.includes('--quick');
const PARTS = ['ingest', 'processor', 'aggregation', 'freshness'] as const;
/** `--only=<part>` (one of PARTS): one part, when working on it. */
const only = /^--only=(\w+)$/.exec(process.argv.find((a) => a.startsWith('--only=')) ?? '')?.[1];
const runs = (part: (typeof PARTS)[number]) => only === undefined || only === part;
const PROCESSOR_EVENTS = quick ? 20_000 : 100_000;
/**
 * Backlog per replica count in the worker's scale-out part (1, 2, 3 replicas, a backlog
 * each). Quick mode's is a smoke test of the part: it drains before a second replica has
 * joined, so only a full run measures scale-out.
 */
const SCALING_EVENTS = quick ? 20_000 : 120_000;
const SCALING_REPLICAS = [1, 2, 3] as const;
const SECONDS = quick ? 5 : 20;
/** The Kafka client alone needs no JIT warm-up behind HTTP: shorter in quick mode, so that stays under 3 minutes. */
const CEILING_SECONDS = quick ? 3 : SECONDS;
/** PRODUCT.md's freshness target holds at 5,000 events/s sustained for at least a minute. */
const FRESHNESS_SECONDS = quick ? 15 : 60;
const INGEST_PORT = 3100;
const BASELINE_PORT = 3199;
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
const startedAt = performance.now();
/** Each line says how far into the run it was written, so the time each part takes shows. */
const log = (line: string) =>
  process.stderr.write(`[bench +${Math.round((performance.now() - startedAt) / 1_000)} s] ${line}\n`);

async function main(): Promise<void> {
  if (only !== undefined && !(PARTS as readonly string[]).includes(only)) {
    throw new Error(`--only=${only}: expected one of ${PARTS.join(', ')}`);
  }
  const stackConfig = loadStackConfig(process.env);
  await stackUp(stackConfig, [], log);
  log('building the apps…');
  const build = spawnSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'nx'),
    ['run-many', '-t', 'build', '--projects=tag:type:app', '--outputStyle=static'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    },
  );
  if (build.status !== 0) throw new Error('build failed');

  const tenant = await provideTenant('bench', stackConfig.mongo, stackConfig.redis);
  const kafka = { brokers: stackConfig.kafka.brokers, clientId: 'tally-bench' };
  const ingest = runs('ingest') ? await benchIngest(tenant, kafka.brokers) : undefined;
  const processor = runs('processor') ? await benchWorker(stackConfig, tenant, kafka) : undefined;
  // A longer warm-up than ingest's: the query path's p99 settles only after ~4 s at 1,000 req/s (JIT).
  const aggregation = runs('aggregation')
    ? await benchAggregation(stackConfig, { seconds: SECONDS, warmupSeconds: quick ? 5 : 10 }, log)
    : undefined;

  const freshness = runs('freshness') ? await benchFreshness(stackConfig, FRESHNESS_SECONDS, log) : undefined;

  const report = buildReport(ingest, processor, aggregation, freshness);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const table = renderTable(report);
  writeFileSync(join(RESULTS_DIR, 'latest.md'), `${table}\n`);
  process.stdout.write(`${table}\n\nwritten: bench/results/latest.json, bench/results/latest.md\n`);
}

/**
 * processor-worker: the same kind of backlog drained for a tenant that counts nothing but
 * event names (its standard dimensions switched off, none declared), then for one that
 * counts the standard dimensions, a declared dimension and a measure (the figure that
 * counts), then the scale-out part with dimensions on.
 */
async function benchWorker(
  stackConfig: ReturnType<typeof loadStackConfig>,
  tenant: { tenantId: string },
  kafka: { brokers: readonly string[]; clientId: string },
) {
  const namesOnly = await provideTenant('bench-names-only', stackConfig.mongo, stackConfig.redis);
  await countDimensionsForBench(stackConfig.mongo, stackConfig.redis, namesOnly.tenantId as TenantId, false);
  await countDimensionsForBench(stackConfig.mongo, stackConfig.redis, tenant.tenantId as TenantId, true);
  log('processor: a tenant counting event names only (dimensions off)');
  const off = await benchProcessor(kafka, namesOnly.tenantId, PROCESSOR_EVENTS, log);
  log(
    `processor: a tenant counting the standard dimensions, ${BENCH_DIMENSIONS.dimensions.join(', ')} and ${BENCH_DIMENSIONS.measures.join(', ')}`,
  );
  const on = await benchProcessor(kafka, tenant.tenantId, PROCESSOR_EVENTS, log);
  return {
    ...on,
    dimensionsOff: {
      eventsPerSec: off.eventsPerSec,
      baselineEventsPerSec: off.baselineEventsPerSec,
      stepShare: off.stepShare,
    },
    scaling: await benchProcessorScaling(kafka, tenant.tenantId, SCALING_EVENTS, SCALING_REPLICAS, log),
  };
}

/**
 * ingest-api against two yardsticks: a bare Fastify server parsing the same payloads
 * (what HTTP and JSON cost), and the Kafka client alone publishing the same envelopes as
 * ingest-api does (what the durable write costs; `kafka-ceiling.ts`).
 */
async function benchIngest(
  tenant: { tenantId: string; writeKey: string },
  brokers: readonly string[],
): Promise<Measured> {
  const ingest = benchApp('bench', 'ingest-api');
  await ingest.stop();
  startBenchApp(ingest, 'ingest-api', {
    INGEST_API_PORT: String(INGEST_PORT),
    // The bench measures capacity, not quotas.
    QUOTA_INGEST_EVENTS_PER_SECOND: '10000000',
    QUOTA_INGEST_BURST: '10000000',
  });
  const ingestUrl = `http://127.0.0.1:${INGEST_PORT}`;
  await waitUntil('ingest-api', () => httpOk(`${ingestUrl}/health/ready`), {
    timeoutMs: 60_000,
    describeFailure: () => ingest.lastLogLines(),
  });

  const baseline = startBaseline(BASELINE_PORT);
  const baselineUrl = `http://127.0.0.1:${BASELINE_PORT}`;
  try {
    await waitUntil('baseline', () => isUp(baselineUrl), { timeoutMs: 30_000 });
    const batch = batchBody(100);
    const single = singleBody();
    const auth = { authorization: `Basic ${Buffer.from(`${tenant.writeKey}:`).toString('base64')}` };
    let peakRss = 0;
    const sampler = setInterval(() => {
      void rssOf(ingestUrl).then(
        (rss) => (peakRss = Math.max(peakRss, rss)),
        () => undefined,
      );
    }, 500);

    log(`warm-up (${quick ? 2 : 5} s)`);
    await runLoad({
      url: `${ingestUrl}/v1/batch`,
      body: batch,
      headers: auth,
      connections: 16,
      seconds: quick ? 2 : 5,
    });

    log(`ingest /v1/batch, 100 events a request, ${SECONDS} s`);
    const ingestBatch = await runLoad({
      url: `${ingestUrl}/v1/batch`,
      body: batch,
      headers: auth,
      connections: 32,
      seconds: SECONDS,
    });
    log(`baseline /v1/batch, ${SECONDS} s`);
    const baseBatch = await runLoad({
      url: `${baselineUrl}/v1/batch`,
      body: batch,
      headers: {},
      connections: 32,
      seconds: SECONDS,
    });
    log(`Kafka client alone, 100 events a call, ${CEILING_SECONDS} s`);
    const ceilingBatch = await runKafkaCeiling({
      brokers,
      tenantId: tenant.tenantId,
      seconds: CEILING_SECONDS,
      callers: 32,
      eventsPerCall: 100,
    });
    log(`ingest /v1/track, one event a request, ${SECONDS} s`);
    const ingestSingle = await runLoad({
      url: `${ingestUrl}/v1/track`,
      body: single,
      headers: auth,
      connections: 64,
      seconds: SECONDS,
    });
    log(`baseline /v1/track, ${SECONDS} s`);
    const baseSingle = await runLoad({
      url: `${baselineUrl}/v1/track`,
      body: single,
      headers: {},
      connections: 64,
      seconds: SECONDS,
    });
    log(`Kafka client alone, one event a call, ${CEILING_SECONDS} s`);
    const ceilingSingle = await runKafkaCeiling({
      brokers,
      tenantId: tenant.tenantId,
      seconds: CEILING_SECONDS,
      callers: 64,
      eventsPerCall: 1,
    });
    clearInterval(sampler);
    return { ingestBatch, baseBatch, ingestSingle, baseSingle, ceilingBatch, ceilingSingle, peakRss };
  } finally {
    baseline.kill('SIGTERM');
    await ingest.stop();
  }
}

async function isUp(url: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return response.ok;
}

async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
}

interface Measured {
  ingestBatch: LoadResult;
  baseBatch: LoadResult;
  ingestSingle: LoadResult;
  baseSingle: LoadResult;
  ceilingBatch: KafkaCeilingResult;
  ceilingSingle: KafkaCeilingResult;
  peakRss: number;
}

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

function buildReport(
  m: Measured | undefined,
  p: Awaited<ReturnType<typeof benchWorker>> | undefined,
  a: AggregationResult | undefined,
  f: FreshnessResult | undefined,
) {
  const mb = (...bytes: (number | undefined)[]) => {
    const peak = Math.max(0, ...bytes.filter((b): b is number => b !== undefined));
    return peak > 0 ? round(peak / 2 ** 20, 1) : undefined;
  };
  return {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    mode: quick ? 'quick' : 'full',
    secondsPerScenario: SECONDS,
    notes: [
      'Load generator (autocannon; for aggregation-api a fixed-rate one), Kafka, Redis, FerretDB, PostgreSQL and the app share the same 2 cores.',
      'Every 200 from ingest-api means the events are acknowledged by all in-sync replicas of Kafka (acks=-1).',
      'processor figures depend on FerretDB (on PostgreSQL): its per-document cost bounds the MongoDB step (docs/benchmarks.md).',
      'processor.scaling: k replicas of one consumer group drain a fresh backlog each; they all write to the one FerretDB and PostgreSQL on the same 2 cores.',
      'aggregation figures are open loop at a fixed rate: latency counts from when each request was due, so queueing behind a slow server shows.',
    ],
    ingest: m && {
      batch: {
        eventsPerSec: round(m.ingestBatch.requestsPerSec * 100),
        requestsPerSec: round(m.ingestBatch.requestsPerSec),
        p50Ms: m.ingestBatch.p50Ms,
        p99Ms: m.ingestBatch.p99Ms,
        non2xx: m.ingestBatch.non2xx,
        errors: m.ingestBatch.errors,
      },
      single: {
        reqPerSec: round(m.ingestSingle.requestsPerSec),
        p50Ms: m.ingestSingle.p50Ms,
        p99Ms: m.ingestSingle.p99Ms,
        non2xx: m.ingestSingle.non2xx,
        errors: m.ingestSingle.errors,
      },
      baseline: {
        eventsPerSec: round(m.baseBatch.requestsPerSec * 100),
        batchP99Ms: m.baseBatch.p99Ms,
        singleReqPerSec: round(m.baseSingle.requestsPerSec),
        singleP99Ms: m.baseSingle.p99Ms,
      },
      // The Kafka client alone (same producers, same envelopes, no HTTP): the most ingest-api can reach.
      kafkaCeiling: { batch: m.ceilingBatch, single: m.ceilingSingle },
      ratio: {
        batchVsBaseline: round(m.ingestBatch.requestsPerSec / m.baseBatch.requestsPerSec, 3),
        singleVsBaseline: round(m.ingestSingle.requestsPerSec / m.baseSingle.requestsPerSec, 3),
        batchVsKafkaCeiling: round((m.ingestBatch.requestsPerSec * 100) / m.ceilingBatch.eventsPerSec, 3),
        singleVsKafkaCeiling: round(m.ingestSingle.requestsPerSec / m.ceilingSingle.eventsPerSec, 3),
      },
      targets: { batchEventsPerSec: 50_000, batchP99Ms: 100, singleReqPerSec: 5_000 },
    },
    processor: p && {
      events: p.events,
      eventsPerSec: p.eventsPerSec,
      baseline: { bareConsumerEventsPerSec: p.baselineEventsPerSec },
      ratio: { vsBareConsumer: round(p.eventsPerSec / p.baselineEventsPerSec, 3) },
      stepShare: p.stepShare,
      dimensions: {
        counted: ['standard', ...BENCH_DIMENSIONS.dimensions, ...BENCH_DIMENSIONS.measures],
        offEventsPerSec: p.dimensionsOff.eventsPerSec,
        offBareConsumerEventsPerSec: p.dimensionsOff.baselineEventsPerSec,
        onVsOff: round(p.eventsPerSec / p.dimensionsOff.eventsPerSec, 3),
        offStepShare: p.dimensionsOff.stepShare,
      },
      boundBy: Object.entries(p.stepShare).sort(([, a], [, b]) => b - a)[0]?.[0] ?? 'unknown',
      targets: { eventsPerSec: 20_000 },
      scaling: scalingFigures(p.scaling),
    },
    aggregation: a && {
      seededEvents: a.seededEvents,
      scan: a.scan,
      answersExact: a.answersExact,
      query: a.query,
      answerBytes: a.answerBytes,
      seedSeconds: a.seedSeconds,
      rollupSeconds: a.rollupSeconds,
      rollupDocuments: a.rollupDocuments,
      cold: {
        samples: a.coldMs.length,
        p50Ms: [...a.coldMs].sort((x, y) => x - y)[Math.floor(a.coldMs.length / 2)] ?? 0,
        maxMs: Math.max(0, ...a.coldMs),
      },
      cached: { ...fixedRateFigures(a.cached), appCores: a.appCores.cached },
      uncached: { ...fixedRateFigures(a.uncached), appCores: a.appCores.uncached },
      baseline: fixedRateFigures(a.baseline),
      ratio: {
        cachedP99VsBaseline: round(a.cached.p99Ms / (a.baseline.p99Ms || 1), 2),
        uncachedReqPerSecVsTarget: round(a.uncached.achievedPerSec / a.uncached.targetPerSec, 3),
      },
      targets: { cachedP99Ms: 10, reqPerSec: a.cached.targetPerSec },
    },
    e2e: f && {
      // From the 200 until the event shows in /v1/timeseries and on /v1/live (the later of the two).
      freshnessP99Ms: f.bothMs.p99,
      freshnessP50Ms: f.bothMs.p50,
      freshnessMaxMs: f.bothMs.max,
      query: f.queryMs,
      live: f.liveMs,
      probes: f.probes,
      unseen: f.unseen,
      seconds: f.seconds,
      load: f.load,
      backlogAtEnd: f.backlogAtEnd,
      targets: { freshnessP99Ms: 2_000, eventsPerSec: f.load.targetEventsPerSec },
    },
    // Each app's peak in its own part, and in the end-to-end run (all three under load together).
    rssMbByPart: {
      ...(m ? { ingest: { 'ingest-api': mb(m.peakRss) } } : {}),
      ...(p ? { processor: { 'processor-worker': mb(p.peakRssBytes) } } : {}),
      ...(a ? { aggregation: { 'aggregation-api': mb(a.peakRssBytes) } } : {}),
      ...(f
        ? {
            e2e: {
              'ingest-api': mb(f.peakRssBytes.ingest),
              'processor-worker': mb(f.peakRssBytes.processor),
              'aggregation-api': mb(f.peakRssBytes.aggregation),
            },
          }
        : {}),
    },
    // Each app's peak over every part that ran it.
    rssMb: {
      ingest: mb(m?.peakRss, f?.peakRssBytes.ingest),
      processor: mb(p?.peakRssBytes, f?.peakRssBytes.processor),
      aggregation: mb(a?.peakRssBytes, f?.peakRssBytes.aggregation),
    },
  };
}

/**
 * `replicasK`: events/s k replicas sustain once all of them work (the steady rate; the
 * drain rate where the backlog was gone before the last replica started), `ratioK`
 * against one replica; `drain` the rates from first applied event to last; every run's detail.
 */
function scalingFigures(s: ScalingResult) {
  const rateOf = (r: ScalingResult['runs'][number]) => r.steadyEventsPerSec ?? r.eventsPerSec;
  const one = s.runs.find((r) => r.replicas === 1);
  const base = (one && rateOf(one)) || 1;
  return {
    events: s.events,
    ...Object.fromEntries(s.runs.map((r) => [`replicas${r.replicas}`, rateOf(r)])),
    ...Object.fromEntries(
      s.runs.filter((r) => r.replicas > 1).map((r) => [`ratio${r.replicas}`, round(rateOf(r) / base, 2)]),
    ),
    drain: Object.fromEntries(s.runs.map((r) => [`replicas${r.replicas}`, r.eventsPerSec])),
    runs: s.runs.map((r) => ({ ...r, ratioToOne: round(rateOf(r) / base, 2) })),
  };
}

function fixedRateFigures(f: FixedRateResult) {
  return {
    targetReqPerSec: f.targetPerSec,
    reqPerSec: round(f.achievedPerSec),
    p50Ms: round(f.p50Ms, 2),
    p99Ms: round(f.p99Ms, 2),
    maxMs: round(f.maxMs, 1),
    serviceP99Ms: round(f.serviceP99Ms, 2),
    hitRatio: f.hitRatio,
    sent: f.sent,
    unsent: f.unsent,
    non2xx: f.non2xx,
    errors: f.errors,
  };
}

function renderTable(r: ReturnType<typeof buildReport>): string {
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rows: string[] = [];
  const own = (peak: number | undefined) => `${peak ?? '–'} | | | < 256: ${mark((peak ?? 0) < 256)}`;
  const i = r.ingest;
  if (i) {
    rows.push(
      `| ingest /v1/batch (100 events/request) events/s | ${i.batch.eventsPerSec} | ${i.baseline.eventsPerSec} (bare Fastify) | ${i.ratio.batchVsBaseline} | ≥ 50,000: ${mark(i.batch.eventsPerSec >= 50_000)} |`,
      `| ingest /v1/batch p99 ms | ${i.batch.p99Ms} | ${i.baseline.batchP99Ms} | | < 100: ${mark(i.batch.p99Ms < 100)} |`,
      `| Kafka client alone, 100 events a call (32 callers): events/s, p99 ms, client CPU cores | ${i.kafkaCeiling.batch.eventsPerSec}, ${i.kafkaCeiling.batch.p99Ms}, ${i.kafkaCeiling.batch.clientCores} | | ingest ×${i.ratio.batchVsKafkaCeiling} of it | |`,
      `| ingest /v1/track requests/s | ${i.single.reqPerSec} | ${i.baseline.singleReqPerSec} | ${i.ratio.singleVsBaseline} | ≥ 5,000: ${mark(i.single.reqPerSec >= 5_000)} |`,
      `| ingest /v1/track p99 ms | ${i.single.p99Ms} | ${i.baseline.singleP99Ms} | | |`,
      `| Kafka client alone, one event a call (64 callers): events/s, p99 ms, client CPU cores | ${i.kafkaCeiling.single.eventsPerSec}, ${i.kafkaCeiling.single.p99Ms}, ${i.kafkaCeiling.single.clientCores} | | ingest ×${i.ratio.singleVsKafkaCeiling} of it | |`,
      `| ingest-api peak RSS MB (this part) | ${own(r.rssMbByPart.ingest?.['ingest-api'])} |`,
      `| non-2xx / errors (batch, single) | ${i.batch.non2xx}/${i.batch.errors}, ${i.single.non2xx}/${i.single.errors} | | | 0 |`,
    );
  }
  const p = r.processor;
  if (p) {
    const shares = Object.entries(p.stepShare)
      .map(([step, share]) => `${step} ${Math.round(share * 100)}%`)
      .join(', ');
    rows.push(
      `| processor events/s consumed and applied (${p.events} events) | ${p.eventsPerSec} | ${p.baseline.bareConsumerEventsPerSec} (bare kafkajs consumer) | ${p.ratio.vsBareConsumer} | ≥ 20,000: ${mark(p.eventsPerSec >= 20_000)} |`,
      `| processor time by step (bound: ${p.boundBy}) | ${shares} | | | |`,
      `| processor events/s with dimensions on (${p.dimensions.counted.join(', ')}) against names only, same run | ${p.eventsPerSec} | ${p.dimensions.offEventsPerSec} (names only) | ${p.dimensions.onVsOff} | |`,
      `| processor time by step, names only | ${Object.entries(p.dimensions.offStepShare)
        .map(([step, share]) => `${step} ${Math.round(share * 100)}%`)
        .join(', ')} | | | |`,
      `| processor-worker peak RSS MB (this part) | ${own(r.rssMbByPart.processor?.['processor-worker'])} |`,
    );
    for (const run of p.scaling.runs) {
      const cores = Object.entries(run.cores)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      rows.push(
        `| processor scale-out: ${run.replicas} replica(s), events/s once all work (drain of the ${p.scaling.events}-event backlog, joining included) | ${run.steadyEventsPerSec ?? '–'} (${run.eventsPerSec}) | | ×${run.ratioToOne} of 1 replica | |`,
        `| processor scale-out: ${run.replicas} replica(s), applied by each; MongoDB share; CPU cores used | ${run.appliedByReplica.join(' / ')}${run.duplicates > 0 ? ` (+${run.duplicates} found stored by another group)` : ''}; ${Math.round(run.mongodbShare * 100)}%; ${cores} | | | |`,
      );
    }
  }
  const a = r.aggregation;
  if (a) {
    const figures = (f: ReturnType<typeof fixedRateFigures> & { appCores?: number }) =>
      `${f.reqPerSec} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, hits ${Math.round(f.hitRatio * 100)}%` +
      (f.appCores === undefined ? '' : `, app CPU ${f.appCores} cores`);
    const failures = (f: ReturnType<typeof fixedRateFigures>) => `${f.non2xx}/${f.errors}/${f.unsent}`;
    rows.push(
      `| aggregation cached /v1/timeseries at ${a.targets.reqPerSec} req/s (${a.answerBytes}-byte answer) | ${figures(a.cached)} | ${a.baseline.reqPerSec} req/s, p99 ${a.baseline.p99Ms} ms (bare Fastify, constant body) | p99 ×${a.ratio.cachedP99VsBaseline} | p99 < 10: ${mark(a.cached.p99Ms < 10 && a.cached.reqPerSec >= a.targets.reqPerSec * 0.95)} |`,
      `| aggregation uncached /v1/timeseries at ${a.targets.reqPerSec} req/s (a new question each, rollups already in process) | ${figures(a.uncached)}; p99 once sent ${a.uncached.serviceP99Ms} ms | | rate ×${a.ratio.uncachedReqPerSecVsTarget} of offered | |`,
      `| aggregation cold answer (rollups read from MongoDB, one at a time, ${a.cold.samples} samples, ${a.rollupDocuments} rollups stored) ms | median ${a.cold.p50Ms}, max ${a.cold.maxMs} | | | |`,
      `| aggregation non-2xx / errors / never sent (cached, uncached) | ${failures(a.cached)}, ${failures(a.uncached)} | | | 0 |`,
      `| aggregation answers exact (${a.seededEvents} events seeded, rolled up in ${a.rollupSeconds} s) | ${a.answersExact ? 'yes' : 'NO'} | | | yes |`,
      `| query scan: POST /v1/query by a property, uniques and a sum over ${a.scan.events} raw events (FerretDB; ${a.scan.collectionDocuments} documents in the collection), ms per answer | ${a.scan.ms.join(', ')}; ${a.scan.eventsPerSec} events/s at the median | | | exact: ${a.scan.exact ? 'yes' : 'NO'} |`,
      `| aggregation-api peak RSS MB (this part) | ${own(r.rssMbByPart.aggregation?.['aggregation-api'])} |`,
    );
  }
  const e = r.e2e;
  if (e) {
    const ms = (v: number | null) => (v === null ? 'never (unseen)' : `${v}`);
    rows.push(
      `| end-to-end freshness p99 ms (200 → in /v1/timeseries and on /v1/live), ${e.probes} probes under ${e.load.targetEventsPerSec} events/s for ${e.seconds} s | ${ms(e.freshnessP99Ms)} (p50 ${ms(e.freshnessP50Ms)}; query p99 ${ms(e.query.p99)}, live p99 ${ms(e.live.p99)}) | | | < 2,000: ${mark(e.freshnessP99Ms !== null && e.freshnessP99Ms < 2_000)} |`,
      `| end-to-end load accepted events/s (non-2xx / errors / batches never sent), worker backlog at the end | ${e.load.acceptedEventsPerSec} (${e.load.non2xx}/${e.load.errors}/${e.load.unsent}), ${e.backlogAtEnd} | | ×${round(e.load.acceptedEventsPerSec / e.load.targetEventsPerSec, 2)} of offered | |`,
      `| peak RSS MB in this part: ingest-api / processor-worker / aggregation-api | ${Object.values(r.rssMbByPart.e2e ?? {}).join(' / ')} | | | each < 256 |`,
      `| peak RSS MB over all parts (\`rssMb\`): ingest-api / processor-worker / aggregation-api | ${r.rssMb.ingest ?? '–'} / ${r.rssMb.processor ?? '–'} / ${r.rssMb.aggregation ?? '–'} | | | each < 256: ${mark([r.rssMb.ingest, r.rssMb.processor, r.rssMb.aggregation].every((v) => (v ?? 0) < 256))} |`,
    );
  }
  return [
    `# Benchmark (${r.mode}, ${r.secondsPerScenario} s per HTTP scenario, ${r.measuredAt})`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`,
    '',
    '| figure | tally | baseline (same run) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
