import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { TOPICS } from '@tally/contracts';
import { createKafkaClient, GroupCommitProducer, KeyPartitioning } from '@tally/kafka';
import { trackEnvelope } from './payloads';

/**
 * The second yardstick for ingest-api: what the chosen Kafka client alone carries on this
 * machine. A process of its own publishes ready-made envelopes of the size ingest-api
 * writes, through the same producers ingest-api uses (idempotent, acks from all in-sync
 * replicas, group commit bounded by bytes per partition, two side by side, `KeyPartitioning`), from callers that each
 * publish 100 events (as `/v1/batch` clients send them) or one (as `/v1/track` clients do)
 * and wait for the acknowledgement. No HTTP, parsing, validation, quota or logging:
 * ingest-api cannot go faster than this, whatever its own path costs.
 *
 * Usage: `kafka-ceiling.ts <brokers> <tenantId> <seconds> <callers> <eventsPerCall>` (run by
 * `runKafkaCeiling` in baseline.ts); prints one JSON line.
 */
const [brokers = '127.0.0.1:9092', tenantId = 'bench', ...numbers] = process.argv.slice(2);
const [seconds = 5, callers = 32, eventsPerCall = 100] = numbers.map(Number);
const PRODUCERS = 2;

/** One call's messages, with fresh ids, as ingest-api writes them. */
function envelopes(seq: number): Message[] {
  const receivedAt = new Date().toISOString();
  const requestId = randomUUID();
  return Array.from({ length: eventsPerCall }, (_, i) => trackEnvelope(tenantId, seq + i, receivedAt, requestId));
}

async function main(): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'tally-bench-ceiling', brokers: brokers.split(',') });
  const partitioning = new KeyPartitioning();
  const publishers = Array.from(
    { length: PRODUCERS },
    () =>
      new GroupCommitProducer(
        () =>
          kafka.producer({
            idempotent: true,
            maxInFlightRequests: 1,
            createPartitioner: partitioning.createPartitioner,
          }),
        TOPICS.events.name,
        {
          maxBatchMessages: 10_000,
          maxPendingMessages: 1_000_000,
          timeoutMs: 30_000,
          partitionOf: (message) => partitioning.partitionOf(TOPICS.events.name, message.key),
        },
      ),
  );
  await Promise.all(publishers.map((p) => p.connect()));
  // Built before the clock starts, so the figure is the Kafka path's alone; a pool of calls
  // whose keys cover the payloads' 5,000 users, so every partition gets its share.
  const pool = Array.from({ length: callers * 4 }, (_, i) => envelopes(i * eventsPerCall));
  const latencies: number[] = [];
  let published = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      // Half the callers to each producer (ingest-api splits each request between them by key).
      const publisher = publishers[c % PRODUCERS] as GroupCommitProducer;
      for (let n = 0; performance.now() < deadline; n++) {
        const at = performance.now();
        await publisher.publish(pool[(c + n * callers) % pool.length] as Message[]);
        latencies.push(performance.now() - at);
        published += eventsPerCall;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(publishers.map((p) => p.disconnect()));
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
  process.stdout.write(
    `${JSON.stringify({
      eventsPerSec: Math.round((published / elapsedMs) * 1_000),
      p99Ms: Math.round(p99 * 10) / 10,
      clientCores: Math.round(((cpu.user + cpu.system) / 1_000 / elapsedMs) * 100) / 100,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
