import type { Message } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { eventually, sleep, startApp, uniqueName, type RunningApp, type TestEnvironment } from '@tally/testing';

/**
 * A consumer group of processor-worker replicas of the test's own, so tests never
 * share partitions with a worker someone else runs. The group starts at the current
 * end of the events topic (offsets committed before any replica joins), so it works
 * only what the test sends, and a replica that restarts resumes where the group was.
 */
export class WorkerGroup {
  readonly groupId = uniqueName('e2e-worker');
  private readonly replicas = new Map<number, RunningApp>();

  private constructor(private readonly env: TestEnvironment) {}

  static async atTopicEnd(env: TestEnvironment): Promise<WorkerGroup> {
    const group = new WorkerGroup(env);
    const admin = createKafkaClient({ ...env.kafka, clientId: 'tally-e2e-admin' }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(TOPICS.events.name);
      await admin.setOffsets({
        groupId: group.groupId,
        topic: TOPICS.events.name,
        partitions: ends.map(({ partition, offset }) => ({ partition, offset })),
      });
    } finally {
      await admin.disconnect();
    }
    return group;
  }

  /** Starts a replica serving health and metrics on `port`, and waits until it is in the group. */
  async start(port: number, env: Record<string, string> = {}): Promise<RunningApp> {
    const replica = startApp('processor-worker', {
      PROCESSOR_GROUP_ID: this.groupId,
      PROCESSOR_WORKER_PORT: String(port),
      PROCESSOR_SESSION_TIMEOUT_MS: '6000',
      ...env,
    });
    this.replicas.set(port, replica);
    await eventually(async () => {
      if (replica.process.exitCode !== null) throw new Error(`worker exited early:\n${replica.output().slice(-2000)}`);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }, 60_000);
    return replica;
  }

  /** The crash the worker must survive: no shutdown hooks, no commit, no leaving the group. */
  async kill(port: number): Promise<void> {
    const replica = this.replicas.get(port);
    if (!replica) return;
    this.replicas.delete(port);
    await new Promise<void>((done) => {
      if (replica.process.exitCode !== null || replica.process.signalCode !== null) return done();
      replica.process.once('exit', () => done());
      replica.process.kill('SIGKILL');
    });
  }

  async stop(port: number): Promise<void> {
    const replica = this.replicas.get(port);
    this.replicas.delete(port);
    await replica?.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.replicas.keys()].map((port) => this.stop(port)));
  }

  output(port: number): string {
    return this.replicas.get(port)?.output() ?? '';
  }
}

/** Sends messages to the events topic as ingest-api does (acks from all in-sync replicas), in slices. */
export async function produceToEventsTopic(
  env: TestEnvironment,
  messages: readonly Message[],
  options: { sliceSize?: number; pauseMs?: number; onSlice?: (sent: number) => Promise<void> | void } = {},
): Promise<void> {
  const producer = createKafkaClient({ ...env.kafka, clientId: 'tally-e2e-producer' }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const size = options.sliceSize ?? 1_000;
    for (let i = 0; i < messages.length; i += size) {
      await producer.send({ topic: TOPICS.events.name, acks: -1, messages: messages.slice(i, i + size) });
      await options.onSlice?.(Math.min(i + size, messages.length));
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  } finally {
    await producer.disconnect();
  }
}
