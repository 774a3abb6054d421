import type { Message, Producer } from 'kafkajs';

/** Thrown when messages could not be made durable in time: the caller answers 503. */
export class PublishUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishUnavailableError';
  }
}

export interface GroupCommitOptions {
  /** Most messages in one produce request. */
  readonly maxBatchMessages: number;
  /** Messages waiting beyond this are refused at once: memory stays bounded while Kafka is away. */
  readonly maxPendingMessages: number;
  /** A publish not acknowledged within this time is answered as unavailable. */
  readonly timeoutMs: number;
  /** Called after every produce request, for metrics. */
  readonly onBatch?: (messages: number, seconds: number, ok: boolean) => void;
}

interface Pending {
  readonly messages: Message[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  /** Cleared on settling: a live timer would keep the entry — and its messages — in memory. */
  timer?: NodeJS.Timeout;
}

/**
 * Group commit for a Kafka producer: publishes from concurrent callers share produce
 * requests. While one request is in flight, new messages queue; the next request takes
 * everything queued. Small client batches thus go out as large Kafka batches, and no
 * timer adds latency when the system is idle. Each caller's promise resolves only
 * once its messages are acknowledged by all in-sync replicas (acks = -1).
 *
 * A caller that times out is answered at once; if its messages were not yet handed to
 * Kafka they are dropped from the queue, otherwise they may still land — harmless,
 * because consumers deduplicate by message id and the client will retry.
 */
export class GroupCommitProducer {
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private sending = false;
  private connected = false;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly options: GroupCommitOptions,
  ) {
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get pendingMessages(): number {
    return this.queuedMessages;
  }

  publish(messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.queuedMessages + messages.length > this.options.maxPendingMessages) {
      return Promise.reject(new PublishUnavailableError('too many events waiting for Kafka'));
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Pending = { messages, resolve, reject, settled: false };
      entry.timer = setTimeout(() => {
        if (entry.settled) return;
        this.settle(
          entry,
          new PublishUnavailableError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`),
        );
        const index = this.queue.indexOf(entry);
        if (index >= 0) {
          this.queue.splice(index, 1);
          this.queuedMessages -= entry.messages.length;
        }
      }, this.options.timeoutMs);
      entry.timer.unref();
      this.queue.push(entry);
      this.queuedMessages += messages.length;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        if (batch.length === 0) continue;
        const messages = batch.flatMap((e) => e.messages);
        const started = process.hrtime.bigint();
        try {
          if (!this.connected) {
            await this.producer.connect();
            this.connected = true;
          }
          await this.producer.send({ topic: this.topic, acks: -1, messages });
          this.options.onBatch?.(messages.length, elapsedSeconds(started), true);
          for (const entry of batch) this.settle(entry);
        } catch (error) {
          this.options.onBatch?.(messages.length, elapsedSeconds(started), false);
          const failure = new PublishUnavailableError('Kafka refused the events', { cause: error });
          for (const entry of batch) this.settle(entry, failure);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Whole entries, oldest first, up to the batch size (at least one entry). */
  private take(): Pending[] {
    const taken: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (taken.length > 0 && count + next.messages.length > this.options.maxBatchMessages) break;
      this.queue.shift();
      this.queuedMessages -= next.messages.length;
      if (next.settled) continue;
      taken.push(next);
      count += next.messages.length;
    }
    return taken;
  }

  private settle(entry: Pending, error?: Error): void {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve();
  }
}

const elapsedSeconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
