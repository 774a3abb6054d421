import { join } from 'node:path';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type { KafkaConfig } from '@tally/config';
import { EVENT_ENVELOPE_VERSION, TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { ManagedProcess, sleep } from '../stack/managed-process';
import { httpOk, waitUntil } from '../stack/readiness';
import { REPO_ROOT, TALLY_HOME } from '../stack/stack-paths';
import { trackEvent } from './payloads';

const WORKER_PORT = 3102;
const STEPS = ['open', 'decode', 'mongodb', 'dead_letter', 'redis'] as const;

export interface ProcessorResult {
  readonly events: number;
  readonly eventsPerSec: number;
  readonly baselineEventsPerSec: number;
  readonly peakRssBytes: number;
  /** Share of the worker's chunk time spent in each step (sums over all partitions worked at once). */
  readonly stepShare: Record<(typeof STEPS)[number], number>;
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

  const groupId = `bench-worker-${Date.now().toString(36)}`;
  await positionGroup(kafka, groupId, start);
  const worker = new ManagedProcess(
    'bench-processor-worker',
    join(TALLY_HOME, 'bench'),
    join('dist', 'apps', 'processor-worker', 'main.js'),
  );
  await worker.stop();
  log('processor: processor-worker on the same backlog');
  worker.start(
    process.execPath,
    [join(REPO_ROOT, 'dist', 'apps', 'processor-worker', 'main.js')],
    {
      ...process.env,
      PROCESSOR_GROUP_ID: groupId,
      PROCESSOR_WORKER_PORT: String(WORKER_PORT),
      LOG_LEVEL: 'warn',
    },
    REPO_ROOT,
  );
  const url = `http://127.0.0.1:${WORKER_PORT}`;
  try {
    await waitUntil('processor-worker', () => httpOk(`${url}/health/ready`), {
      timeoutMs: 60_000,
      describeFailure: () => worker.lastLogLines(),
    });
    let firstAt = 0;
    let lastAt = 0;
    let peakRssBytes = 0;
    let sample = await scrape(url);
    const deadline = Date.now() + Math.max(300_000, events * 5);
    while (sample.applied < events) {
      if (Date.now() > deadline) throw new Error(`worker applied ${sample.applied} of ${events} before the deadline`);
      await sleep(200);
      sample = await scrape(url);
      peakRssBytes = Math.max(peakRssBytes, sample.rss);
      if (firstAt === 0 && sample.applied > 0) firstAt = Date.now();
      lastAt = Date.now();
    }
    const stepTotal = STEPS.reduce((sum, s) => sum + sample.steps[s], 0) || 1;
    const result: ProcessorResult = {
      events,
      eventsPerSec: Math.round(events / ((lastAt - firstAt) / 1000 || 1)),
      baselineEventsPerSec,
      peakRssBytes,
      stepShare: Object.fromEntries(
        STEPS.map((s) => [s, Math.round((sample.steps[s] / stepTotal) * 1000) / 1000]),
      ) as ProcessorResult['stepShare'],
    };
    return result;
  } finally {
    await worker.stop();
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
        const event = trackEvent(i) as { messageId: string; userId: string; timestamp: string };
        messages.push({
          key: `${tenantId}:${event.userId}`,
          value: JSON.stringify({
            v: EVENT_ENVELOPE_VERSION,
            tenantId,
            messageId: event.messageId,
            receivedAt,
            timestamp: event.timestamp,
            requestId: `bench-${Math.floor(i / 100)}`,
            event,
          }),
          headers: { 'tally-tenant-id': tenantId, 'tally-envelope-version': String(EVENT_ENVELOPE_VERSION) },
        });
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

async function scrape(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    applied: value(/^processor_events_total\{outcome="applied"[^}]*\} (\d+)/m),
    rss: value(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m),
    steps: Object.fromEntries(
      STEPS.map((s) => [
        s,
        value(new RegExp(`^processor_step_duration_seconds_sum\\{[^}]*step="${s}"[^}]*\\} ([\\d.e+-]+)`, 'm')),
      ]),
    ) as Record<(typeof STEPS)[number], number>,
  };
}
