import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@tally/contracts';
import { KAFKA_CLIENT } from '@tally/kafka';
import type { ProcessingOptions } from '../config/processor-config';
import { RealtimeStateWriter } from '../realtime-state/realtime-state.writer';
import { ChunkProcessor } from './chunk-processor';
import { PROCESSING_OPTIONS } from './processing-options';
import { ProcessorMetrics } from './processor.metrics';
import { StoppedWhileWaiting } from './retry-until-done';

/** First wait before starting a crashed consumer again; doubled while it fails, up to the most. */
const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;

/**
 * The worker's consumer-group membership: fetches batches of the events topic, hands
 * them to the chunk processor a chunk at a time, and marks an offset for commit only
 * after that chunk's effects are durable. kafkajs commits the marked offsets (at most
 * every second, and when the consumer stops), so a crash replays at most the chunks
 * since the last commit — which the processor recognises and does not count again.
 */
@Injectable()
export class EventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: Consumer;
  private joined = false;
  /** Counts group joins: a batch fetched before the latest rebalance stops at its next chunk. */
  private generation = 0;
  private crashed: Error | undefined;
  /** Set on shutdown: no restart after a crash then. */
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = RESTART_FIRST_DELAY_MS;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(PROCESSING_OPTIONS) private readonly options: ProcessingOptions,
    private readonly processor: ChunkProcessor,
    private readonly metrics: ProcessorMetrics,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(EventsConsumer.name);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.floor(options.sessionTimeoutMs / 10),
      maxWaitTimeInMs: 250,
      retry: { initialRetryTime: 300, retries: 10 },
    });
    const { GROUP_JOIN, CRASH, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.generation++;
      // Report lag only for the partitions assigned now, not for those another replica took over.
      this.metrics.consumerLag.reset();
      this.crashed = undefined;
      this.restartDelayMs = RESTART_FIRST_DELAY_MS;
      this.logger.info({ groupId: payload.groupId, assignment: payload.memberAssignment }, 'joined consumer group');
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.crashed = payload.error;
      this.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      // kafkajs restarts the consumer only after an error it deems retriable; after any other it
      // has disconnected and stays so. A worker must not stop consuming for good: start it again.
      if (!payload.restart) this.scheduleRestart();
    });
    this.consumer.on(STOP, () => (this.joined = false));
  }

  /** For readiness: a member of the group, not crashed. */
  status(): { readonly joined: boolean; readonly crashed: Error | undefined } {
    return { joined: this.joined, crashed: this.crashed };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    // A new group starts from the beginning: events accepted before the first worker ran still count.
    await this.consumer.subscribe({ topic: TOPICS.events.name, fromBeginning: true });
    await this.start();
  }

  private start(): Promise<void> {
    return this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.work(payload),
    });
  }

  /** Connects and runs the consumer again after a crash kafkajs does not restart from, backing off while it fails. */
  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(delayMs * 2, RESTART_MAX_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.logger.warn({ afterMs: delayMs }, 'starting the consumer again after a crash');
      this.consumer
        .connect()
        .then(() => this.start())
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'could not start the consumer again; will retry');
          this.scheduleRestart();
        });
    }, delayMs);
  }

  /** SIGTERM: finish the chunk in hand, commit what is done, leave the group. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
    this.logger.info('left consumer group');
  }

  private async work(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat } = payload;
    const generation = this.generation;
    // A chunk can take longer than the session timeout (a slow store): heartbeat meanwhile, or the
    // group evicts this member and gives the partition away mid-chunk. A refused heartbeat (the group
    // is rebalancing) marks the batch revoked: it stops at the next step.
    let revoked = false;
    const keepAlive = setInterval(
      () =>
        void heartbeat().catch(() => {
          revoked = true;
        }),
      Math.max(500, Math.floor(this.options.sessionTimeoutMs / 5)),
    );
    try {
      await this.workChunks(payload, generation, () => revoked);
    } finally {
      clearInterval(keepAlive);
    }
    this.metrics.consumerLag.set({ partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  private async workChunks(payload: EachBatchPayload, generation: number, isRevoked: () => boolean): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const context = {
      topic: batch.topic,
      partition: batch.partition,
      keys: RealtimeStateWriter.partitionKeys(this.options.groupId, batch.topic, batch.partition),
      // A revoked batch (the group rebalanced since it was fetched) stops; the new owner takes over.
      isRunning: () => isRunning() && !isStale() && this.generation === generation && !isRevoked(),
      heartbeat,
    };
    for (const chunk of chunksOf(batch.messages, this.options.chunkSize)) {
      if (!context.isRunning()) return;
      try {
        const summary = await this.processor.process(chunk, context);
        this.logger.info({ partition: batch.partition, ...summary }, 'chunk applied');
      } catch (error) {
        if (error instanceof StoppedWhileWaiting) return;
        throw error;
      }
      resolveOffset((chunk[chunk.length - 1] as KafkaMessage).offset);
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
  }
}

function* chunksOf<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
