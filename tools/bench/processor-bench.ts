import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type { KafkaConfig } from '@tally/config';
import { TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { ManagedProcess, sleep } from '../stack/managed-process';
import { TALLY_HOME } from '../stack/stack-paths';
import { PostgresComponent } from '../stack/components/postgres.component';
import { startBenchApp } from './bench-apps';
import { trackEnvelope } from './payloads';

/** Replica i (from 0) serves health and metrics on this port + i. */
const FIRST_WORKER_PORT = 3102;
const STEPS = ['open', 'decode', 'mongodb', 'dead_letter', 'redis'] as const;
type Step = (typeof STEPS)[number];

export interface ProcessorResult {
  readonly events: number;
  readonly eventsPerSec: number;
  readonly baselineEventsPerSec: number;
  readonly peakRssBytes: number;
  /** Share of the worker's chunk time spent in each step (sums over all partitions worked at once). */
  readonly stepShare: Record<Step, number>;
}

/** k replicas (one consumer group) draining the same kind of backlog, for k in the run's list. */
export interface ScalingResult {
  readonly events: number;
  readonly runs: readonly ScalingRun[];
}

export interface ScalingRun {
  readonly replicas: number;
  /** The backlog over the time from the first applied event (any replica) to the last. */
  readonly eventsPerSec: number;
  readonly drainSeconds: number;
  /** From when every replica had applied events (all had joined; no rebalance pending) to the end; null if the backlog was gone first. */
  readonly steadyEventsPerSec: number | null;
  readonly allWorkingAfterSeconds: number | null;
  readonly appliedByReplica: readonly number[];
  /** Events of the backlog found already stored: non-zero only if another consumer group on the same stores got there first. */
  readonly duplicates: number;
  /** Share of the replicas' chunk time spent in the MongoDB step. */
  readonly mongodbShare: number;
  /** Average CPU cores used during the drain: the machine, the replicas together, and stack processes found by pid file. */
  readonly cores: Record<string, number>;
}

type Log = (line: string) => void;

/**
 * processor-worker throughput: a backlog of fresh events (unique messageIds, one
 * tenant, realistic payloads) is put on the events topic, then read twice from the
 * same offsets by new consumer groups — first by a bare kafkajs consumer that only
 * parses each message (the baseline: what Kafka and kafkajs allow here), then by a real
 * worker, timed from its first applied event to its last.
 */
export async function benchProcessor(kafkaConfig: KafkaConfig, tenantId: string, events: number, log: Log) {
  const kafka = createKafkaClient({ ...kafkaConfig, clientId: 'tally-bench' });
  const start = await topicEnd(kafka);
  log(`processor: producing a backlog of ${events} events`);
  await produceBacklog(kafka, tenantId, events);

  log('processor: baseline (bare kafkajs consumer, JSON.parse per message)');
  const baselineEventsPerSec = await bareConsumerRate(kafka, start, events);

  log('processor: processor-worker on the same backlog');
  const drain = await drainBacklog(kafka, start, events, 1);
  const stepTotal = STEPS.reduce((sum, s) => sum + drain.steps[s], 0) || 1;
  const result: ProcessorResult = {
    events,
    eventsPerSec: drain.eventsPerSec,
    baselineEventsPerSec,
    peakRssBytes: drain.peakRssBytes,
    stepShare: Object.fromEntries(
      STEPS.map((s) => [s, Math.round((drain.steps[s] / stepTotal) * 1000) / 1000]),
    ) as ProcessorResult['stepShare'],
  };
  return result;
}

/**
 * Scale-out of the worker: for each replica count k, a new backlog of `events` fresh
 * events is put on the topic (fresh, so no run sees another's events as duplicates),
 * then k replicas are started at once in a new consumer group positioned at the
 * backlog's start and sampled every 200 ms until all of it is worked. Two rates: the
 * drain (first applied event to last, joining and rebalancing included: what an operator
 * adding replicas sees) and the steady one (from when every replica has worked events —
 * all have joined, the last rebalance is done — to the end: what k replicas sustain).
 */
export async function benchProcessorScaling(
  kafkaConfig: KafkaConfig,
  tenantId: string,
  events: number,
  replicaCounts: readonly number[],
  log: Log,
): Promise<ScalingResult> {
  const kafka = createKafkaClient({ ...kafkaConfig, clientId: 'tally-bench' });
  const runs: ScalingRun[] = [];
  for (const replicas of replicaCounts) {
    const start = await topicEnd(kafka);
    log(`processor scaling: a backlog of ${events} events for ${replicas} replica(s)`);
    await produceBacklog(kafka, tenantId, events);
    const drain = await drainBacklog(kafka, start, events, replicas);
    const stepTotal = STEPS.reduce((sum, s) => sum + drain.steps[s], 0) || 1;
    const { steps: _steps, peakRssBytes: _rss, ...figures } = drain;
    runs.push({ replicas, ...figures, mongodbShare: Math.round((drain.steps.mongodb / stepTotal) * 1000) / 1000 });
    log(
      `processor scaling: ${replicas} replica(s): ${drain.eventsPerSec} events/s (steady ${drain.steadyEventsPerSec ?? '–'}), ` +
        `applied by replica ${drain.appliedByReplica.join(' / ')}, cores ${JSON.stringify(drain.cores)}`,
    );
  }
  return { events, runs };
}

interface Drain extends Omit<ScalingRun, 'replicas' | 'mongodbShare'> {
  readonly peakRssBytes: number;
  readonly steps: Record<Step, number>;
}

/** Starts `replicas` workers in a new group at `start`, samples their metrics until `events` are applied, stops them. */
async function drainBacklog(
  kafka: Kafka,
  start: { partition: number; offset: string }[],
  events: number,
  replicas: number,
): Promise<Drain> {
  const groupId = `bench-worker-${replicas}x-${Date.now().toString(36)}`;
  await positionGroup(kafka, groupId, start);
  const workers = Array.from({ length: replicas }, (_, i) => ({
    url: `http://127.0.0.1:${FIRST_WORKER_PORT + i}`,
    process: new ManagedProcess(
      i === 0 ? 'bench-processor-worker' : `bench-processor-worker-${i + 1}`,
      join(TALLY_HOME, 'bench'),
      join('dist', 'apps', 'processor-worker', 'main.js'),
    ),
  }));
  await Promise.all(workers.map((w) => w.process.stop()));
  workers.forEach((w, i) =>
    startBenchApp(w.process, 'processor-worker', {
      PROCESSOR_GROUP_ID: groupId,
      PROCESSOR_WORKER_PORT: String(FIRST_WORKER_PORT + i),
      LOG_LEVEL: 'warn',
    }),
  );
  // Where the stack put its PostgreSQL (its run folder may be outside .tally: postgres.component.ts).
  const postgres = new PostgresComponent().process;
  try {
    const pids = () => ({
      workers: workers.map((w) => w.process.pid() ?? 0),
      ...Object.fromEntries(['mongodb', 'kafka', 'redis'].map((c) => [c, [stackPid(c)]])),
      // FerretDB's storage: the server and its backends, one per connection.
      postgres: withChildren(postgres.pid() ?? 0),
    });
    let firstAt = 0;
    let lastAt = 0;
    let allWorkingAt = 0;
    let appliedWhenAllWorking = 0;
    let peakRssBytes = 0;
    let cpuAtFirst: CpuSnapshot | undefined;
    // Sampled from the start: a replica that is up works the backlog while the others still boot.
    let samples = workers.map(() => NO_SAMPLE);
    // Worked: applied, or found already stored — by a consumer group someone else runs on the same
    // stores (reported as duplicates: the run then measured the duplicate path, not the normal one).
    const applied = () => samples.reduce((sum, s) => sum + s.applied + s.duplicate, 0);
    const deadline = Date.now() + Math.max(300_000, events * 5);
    while (applied() < events) {
      if (Date.now() > deadline) {
        throw new Error(
          `workers worked ${applied()} of ${events} before the deadline:\n${workers[0]?.process.lastLogLines()}`,
        );
      }
      const gone = workers.find((w) => w.process.pid() === undefined);
      if (gone) throw new Error(`a processor-worker exited:\n${gone.process.lastLogLines()}`);
      await sleep(200);
      samples = await Promise.all(workers.map((w, i) => scrape(w.url).catch(() => samples[i] ?? NO_SAMPLE)));
      peakRssBytes = Math.max(peakRssBytes, ...samples.map((s) => s.rss));
      if (firstAt === 0 && applied() > 0) {
        firstAt = Date.now();
        cpuAtFirst = cpuSnapshot(pids());
      }
      if (allWorkingAt === 0 && samples.every((s) => s.applied + s.duplicate > 0)) {
        allWorkingAt = Date.now();
        appliedWhenAllWorking = applied();
      }
      lastAt = Date.now();
    }
    const cpuAtLast = cpuSnapshot(pids());
    const seconds = (lastAt - firstAt) / 1000 || 1;
    const steadySeconds = (lastAt - allWorkingAt) / 1000;
    const steady = allWorkingAt > 0 && steadySeconds >= 1 && appliedWhenAllWorking < events;
    return {
      eventsPerSec: Math.round(events / seconds),
      drainSeconds: Math.round(seconds * 10) / 10,
      steadyEventsPerSec: steady ? Math.round((events - appliedWhenAllWorking) / steadySeconds) : null,
      allWorkingAfterSeconds: allWorkingAt > 0 ? Math.round((allWorkingAt - firstAt) / 100) / 10 : null,
      appliedByReplica: samples.map((s) => s.applied),
      duplicates: samples.reduce((sum, s) => sum + s.duplicate, 0),
      cores: cpuAtFirst ? coresBetween(cpuAtFirst, cpuAtLast, seconds) : {},
      peakRssBytes,
      steps: Object.fromEntries(
        STEPS.map((step) => [step, samples.reduce((sum, s) => sum + s.steps[step], 0)]),
      ) as Record<Step, number>,
    };
  } finally {
    await Promise.all(workers.map((w) => w.process.stop()));
  }
}

/** Where each partition of the events topic ends now: a new consumer group positioned here sees only what comes next. */
export async function topicEnd(kafka: Kafka): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(TOPICS.events.name)).map(({ partition, offset }) => ({ partition, offset }));
  } finally {
    await admin.disconnect();
  }
}

export async function positionGroup(kafka: Kafka, groupId: string, at: { partition: number; offset: string }[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic: TOPICS.events.name, partitions: at });
  } finally {
    await admin.disconnect();
  }
}

async function produceBacklog(kafka: Kafka, tenantId: string, events: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const receivedAt = new Date().toISOString();
    for (let sent = 0; sent < events; sent += 5_000) {
      const messages: Message[] = [];
      for (let i = sent; i < Math.min(sent + 5_000, events); i++) {
        messages.push(trackEnvelope(tenantId, i, receivedAt, `bench-${Math.floor(i / 100)}`));
      }
      await producer.send({ topic: TOPICS.events.name, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

async function bareConsumerRate(
  kafka: Kafka,
  start: { partition: number; offset: string }[],
  events: number,
): Promise<number> {
  const groupId = `bench-baseline-${Date.now().toString(36)}`;
  await positionGroup(kafka, groupId, start);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.events.name });
  let seen = 0;
  let firstAt = 0;
  let lastAt = 0;
  await new Promise<void>((done, fail) => {
    consumer
      .run({
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          if (firstAt === 0) firstAt = Date.now();
          for (const message of batch.messages) JSON.parse(message.value?.toString() ?? 'null');
          seen += batch.messages.length;
          lastAt = Date.now();
          if (seen >= events) done();
        },
      })
      .catch(fail);
  });
  await consumer.disconnect();
  return Math.round(events / ((lastAt - firstAt) / 1000 || 1));
}

interface Sample {
  readonly applied: number;
  readonly duplicate: number;
  readonly rss: number;
  readonly steps: Record<Step, number>;
}

const NO_SAMPLE: Sample = {
  applied: 0,
  duplicate: 0,
  rss: 0,
  steps: Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>,
};

async function scrape(url: string): Promise<Sample> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    applied: value(/^processor_events_total\{outcome="applied"[^}]*\} (\d+)/m),
    duplicate: value(/^processor_events_total\{outcome="duplicate"[^}]*\} (\d+)/m),
    rss: value(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m),
    steps: Object.fromEntries(
      STEPS.map((s) => [
        s,
        value(new RegExp(`^processor_step_duration_seconds_sum\\{[^}]*step="${s}"[^}]*\\} ([\\d.e+-]+)`, 'm')),
      ]),
    ) as Record<Step, number>,
  };
}

/** CPU time (clock ticks) of the whole machine and of named groups of processes, read from /proc. */
interface CpuSnapshot {
  readonly machineBusy: number;
  readonly byName: Record<string, number>;
  /** The pids each name stood for: a name whose processes changed between two snapshots is left out. */
  readonly pidsByName: Record<string, string>;
}

const CLOCK_TICKS_PER_SECOND = 100;

function cpuSnapshot(pidsByName: Record<string, readonly number[]>): CpuSnapshot {
  const machine = (readOr('/proc/stat', '').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
  const busy = machine.reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + (v || 0)), 0);
  const ticksOf = (pid: number) => {
    // Fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readOr(`/proc/${pid}/stat`, '').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  };
  return {
    machineBusy: busy,
    pidsByName: Object.fromEntries(Object.entries(pidsByName).map(([name, pids]) => [name, pids.join(',')])),
    byName: Object.fromEntries(
      Object.entries(pidsByName)
        .filter(([, pids]) => pids.some((pid) => pid > 0))
        .map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + (pid > 0 ? ticksOf(pid) : 0), 0)]),
    ),
  };
}

function coresBetween(a: CpuSnapshot, b: CpuSnapshot, seconds: number): Record<string, number> {
  const cores = (ticks: number) => Math.round((ticks / CLOCK_TICKS_PER_SECOND / seconds) * 100) / 100;
  return {
    machine: cores(b.machineBusy - a.machineBusy),
    ...Object.fromEntries(
      Object.keys(b.byName)
        .filter((name) => name in a.byName && a.pidsByName[name] === b.pidsByName[name])
        .map((name) => [name, cores((b.byName[name] ?? 0) - (a.byName[name] ?? 0))]),
    ),
  };
}

/** The pid the local stack recorded for a component (read only: the bench never signals it); 0 if none. */
function stackPid(component: string): number {
  return Number(readOr(join(TALLY_HOME, 'stack', component, `${component}.pid`), '0').trim()) || 0;
}

function withChildren(pid: number): number[] {
  if (pid === 0) return [0];
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => readOr(`/proc/${entry}/stat`, '').split(') ')[1]?.split(' ')[1] === String(pid))
    .map(Number);
  return [pid, ...children.sort((a, b) => a - b)];
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
