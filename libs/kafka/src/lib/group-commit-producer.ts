import type { Message, Producer } from 'kafkajs';

/** Thrown when messages could not be made durable in time: the caller answers 503. */
export class PublishUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishUnavailableError';
  }
}

/** Thrown when Kafka refuses a message sent on its own as too large: it can never be written (413). */
export class PublishTooLargeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishTooLargeError';
  }
}

/**
 * The most record bytes one send puts into one partition. kafkajs writes one record batch
 * per partition per send, and the broker refuses a batch above the topic's
 * max.message.bytes (the broker's default, 1,048,588 bytes, on every registry topic:
 * group-commit-producer.int-spec checks) with MESSAGE_TOO_LARGE, failing the whole send.
 * Messages are measured at their widest encoding (`recordBytes`), so the 48 KB left over
 * are a margin, more than one largest ingest event (32 KB and its envelope).
 */
export const DEFAULT_MAX_BATCH_BYTES = 1_000_000;

/**
 * The most record bytes in one send, all partitions together: the broker closes the
 * connection on a request above socket.request.max.bytes (100 MB by default), which
 * kafkajs would retry for ever. 16 partitions' full batches.
 */
export const DEFAULT_MAX_SEND_BYTES = 16 * DEFAULT_MAX_BATCH_BYTES;

export interface GroupCommitOptions {
  /** Most messages in one produce request. */
  readonly maxBatchMessages: number;
  /** Messages waiting beyond this are refused at once: memory stays bounded while Kafka is away. */
  readonly maxPendingMessages: number;
  /** A publish not acknowledged within this time is answered as unavailable. */
  readonly timeoutMs: number;
  /** Most record bytes one send puts into one partition (below the topic's max.message.bytes). */
  readonly maxBatchBytes?: number;
  /** Most record bytes in one send. */
  readonly maxSendBytes?: number;
  /**
   * The partition kafkajs will put a message on, or undefined while unknown. Without it (or
   * while unknown) `maxBatchBytes` bounds the whole send, as if every message shared one
   * partition: safe, but more sends under load.
   */
  readonly partitionOf?: (message: Message) => number | undefined;
  /** Called after every produce request, for metrics. */
  readonly onBatch?: (messages: number, seconds: number, ok: boolean) => void;
}

interface Pending {
  readonly messages: Message[];
  /** Messages handed to sends so far: the next send of this caller's messages starts here. */
  taken: number;
  /** Messages acknowledged so far; the caller is answered once all are. */
  acknowledged: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  /** Cleared on settling: a live timer would keep the entry — and its messages — in memory. */
  timer?: NodeJS.Timeout;
}

/** Messages `from` up to `to` of one caller, in one send. */
interface Slice {
  readonly entry: Pending;
  readonly from: number;
  readonly to: number;
}

/**
 * Group commit for a Kafka producer: publishes from concurrent callers share produce
 * requests. While one request is in flight, new messages queue; the next request takes
 * what queued, oldest first, up to a bound in messages and in bytes per partition (so
 * one tenant's large requests cannot push a record batch past what the broker takes,
 * failing everyone coalesced with them). A caller's messages may thus span several
 * sends; they go out in order, one send at a time, so one key's messages keep their
 * order. Each caller's promise resolves only once all its messages are acknowledged by
 * all in-sync replicas (acks = -1).
 *
 * A caller that times out is answered at once; if its messages were not yet handed to
 * Kafka they are dropped from the queue, otherwise they may still land — harmless,
 * because consumers deduplicate by message id and the client will retry. The same holds
 * for a caller whose messages spanned sends of which one failed.
 */
export class GroupCommitProducer {
  private queue: Pending[] = [];
  /** Sends to make again before taking from the queue: the halves of a send refused as too large. */
  private redo: Slice[][] = [];
  private queuedMessages = 0;
  private sending = false;
  private connected = false;
  private connecting: Promise<void> | undefined;
  private producer: Producer;
  private readonly maxBatchBytes: number;
  private readonly maxSendBytes: number;

  /** `createProducer` is called again to replace a producer whose send was refused (see `replaceProducer`). */
  constructor(
    private readonly createProducer: () => Producer,
    private readonly topic: string,
    private readonly options: GroupCommitOptions,
  ) {
    this.producer = this.watch(createProducer());
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxSendBytes = Math.max(options.maxSendBytes ?? DEFAULT_MAX_SEND_BYTES, this.maxBatchBytes);
  }

  get pendingMessages(): number {
    return this.queuedMessages;
  }

  /** Connects ahead of the first publish (which otherwise connects itself). */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.connecting === undefined) {
      const producer = this.producer;
      const connecting = producer
        .connect()
        .then(() => {
          if (this.producer === producer) this.connected = true;
        })
        .finally(() => {
          if (this.connecting === connecting) this.connecting = undefined;
        });
      this.connecting = connecting;
    }
    return this.connecting;
  }

  disconnect(): Promise<void> {
    this.connected = false;
    return this.producer.disconnect();
  }

  publish(messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.queuedMessages + messages.length > this.options.maxPendingMessages) {
      return Promise.reject(new PublishUnavailableError('too many events waiting for Kafka'));
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Pending = { messages, taken: 0, acknowledged: 0, resolve, reject, settled: false };
      entry.timer = setTimeout(() => {
        this.settle(
          entry,
          new PublishUnavailableError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`),
        );
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
      while (this.redo.length > 0 || this.queue.length > 0) {
        const redone = this.redo.shift();
        const send = redone ? redone.filter((s) => !s.entry.settled) : this.take();
        if (send.length > 0) await this.write(send);
      }
    } finally {
      this.sending = false;
    }
  }

  private async write(send: Slice[]): Promise<void> {
    const messages = send.flatMap((s) => s.entry.messages.slice(s.from, s.to));
    const started = process.hrtime.bigint();
    try {
      await this.connect();
    } catch (error) {
      this.options.onBatch?.(messages.length, elapsedSeconds(started), false);
      this.fail(send, new PublishUnavailableError('Kafka refused the events', { cause: error }));
      return;
    }
    try {
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      this.options.onBatch?.(messages.length, elapsedSeconds(started), false);
      await this.replaceProducer();
      if (!isTooLarge(error)) {
        this.fail(send, new PublishUnavailableError('Kafka refused the events', { cause: error }));
      } else if (messages.length > 1) {
        // The broker takes less than this producer was told. Which message is too large
        // cannot be told from the answer: try each half on its own, down to single messages.
        this.redo.unshift(...halves(send));
      } else {
        const bytes = recordBytes(messages[0] as Message);
        this.fail(
          send,
          new PublishTooLargeError(`an event of ${bytes} bytes is more than Kafka takes`, { cause: error }),
        );
      }
      return;
    }
    this.options.onBatch?.(messages.length, elapsedSeconds(started), true);
    for (const { entry, from, to } of send) {
      entry.acknowledged += to - from;
      if (entry.acknowledged === entry.messages.length) this.settle(entry);
    }
  }

  /**
   * A refused send leaves the idempotent producer's sequence numbers behind the broker's:
   * kafkajs rolls back every partition of the request, also those the broker wrote. On the
   * real broker the next send of as many messages to such a partition was acknowledged and
   * silently dropped as a duplicate. A new producer gets a new producer id and starts clean;
   * messages of the refused send that did land may land again, which consumers deduplicate.
   */
  private async replaceProducer(): Promise<void> {
    const refused = this.producer;
    this.producer = this.watch(this.createProducer());
    this.connected = false;
    this.connecting = undefined;
    await refused.disconnect().catch(() => undefined);
  }

  private watch(producer: Producer): Producer {
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = false;
    });
    return producer;
  }

  /** The next send: queued messages, oldest first, as many as the bounds allow (at least one). */
  private take(): Slice[] {
    const send: Slice[] = [];
    const room = new SendRoom(
      this.options.maxBatchMessages,
      this.maxBatchBytes,
      this.maxSendBytes,
      this.options.partitionOf,
    );
    let full = false;
    while (this.queue.length > 0 && !full) {
      const entry = this.queue[0] as Pending;
      const from = entry.taken;
      let to = from;
      while (to < entry.messages.length && room.add(entry.messages[to] as Message)) to++;
      full = to < entry.messages.length;
      if (to > from) send.push({ entry, from, to });
      entry.taken = to;
      this.queuedMessages -= to - from;
      if (!full) this.queue.shift();
    }
    return send;
  }

  private fail(send: Slice[], error: Error): void {
    for (const { entry } of send) this.settle(entry, error);
  }

  private settle(entry: Pending, error?: Error): void {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if (entry.taken < entry.messages.length) {
      // Failed (or timed out) with messages still queued: they are not sent.
      const index = this.queue.indexOf(entry);
      if (index >= 0) this.queue.splice(index, 1);
      this.queuedMessages -= entry.messages.length - entry.taken;
      entry.taken = entry.messages.length;
    }
    if (error) entry.reject(error);
    else entry.resolve();
  }
}

/**
 * What one send holds so far. Bytes are counted in total; per partition only once the
 * total could overflow one partition's batch — below that no partition can, and most
 * sends never pay for a partition lookup per message.
 */
class SendRoom {
  private messages: Message[] = [];
  private total = 0;
  private perPartition: Map<number, number> | undefined;
  /** A message too large for any batch goes alone; nothing joins it. */
  private closed = false;

  /** What one partition's records may take: the batch bound less the batch's own header. */
  private readonly maxRecordBytes: number;

  constructor(
    private readonly maxMessages: number,
    maxBatchBytes: number,
    private readonly maxSendBytes: number,
    private readonly partitionOf: ((message: Message) => number | undefined) | undefined,
  ) {
    this.maxRecordBytes = maxBatchBytes - RECORD_BATCH_OVERHEAD_BYTES;
  }

  /** Takes the message if the send has room for it; false: it starts the next send. */
  add(message: Message): boolean {
    if (this.closed) return false;
    const bytes = recordBytes(message);
    if (this.messages.length > 0) {
      if (bytes > this.maxRecordBytes || this.messages.length >= this.maxMessages) return false;
      if (this.total + bytes > this.maxSendBytes) return false;
      if (this.total + bytes > this.maxRecordBytes && !this.fitsItsPartition(message, bytes)) return false;
    } else if (bytes > this.maxRecordBytes) {
      // Perhaps the broker still takes it; if not, only its caller is refused.
      this.closed = true;
    }
    this.messages.push(message);
    this.total += bytes;
    return true;
  }

  /** Counts the message against its partition if that has room; false when it has not, or partitions are unknown. */
  private fitsItsPartition(message: Message, bytes: number): boolean {
    const partitionOf = this.partitionOf;
    if (partitionOf === undefined) return false;
    if (this.perPartition === undefined) {
      const counted = new Map<number, number>();
      for (const held of this.messages) {
        const partition = partitionOf(held);
        if (partition === undefined) return false;
        counted.set(partition, (counted.get(partition) ?? 0) + recordBytes(held));
      }
      this.perPartition = counted;
    }
    const partition = partitionOf(message);
    if (partition === undefined) return false;
    const used = this.perPartition.get(partition) ?? 0;
    if (used + bytes > this.maxRecordBytes) return false;
    this.perPartition.set(partition, used + bytes);
    return true;
  }
}

/** A v2 record batch's header: offsets, lengths, CRC, attributes, timestamps, producer id, epoch, sequence, count. */
const RECORD_BATCH_OVERHEAD_BYTES = 61;
/** A record's varints at their widest: length 5, attributes 1, timestamp delta 10, offset delta, key and value lengths and header count 5 each. */
const RECORD_OVERHEAD_BYTES = 36;
/** A header's key and value lengths, 5 bytes each at most. */
const HEADER_OVERHEAD_BYTES = 10;

/** A message's size in a record batch, at most. */
function recordBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + byteLength(one);
    }
  }
  return bytes;
}

const byteLength = (data: Buffer | string | null | undefined): number =>
  data === null || data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length;

/** MESSAGE_TOO_LARGE (10) or RECORD_LIST_TOO_LARGE (18): what a batch above max.message.bytes is answered with. */
function isTooLarge(error: unknown): boolean {
  let e = error as { type?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

/** The send's messages in two sends of (nearly) equal count, in order. */
function halves(send: Slice[]): [Slice[], Slice[]] {
  const count = send.reduce((sum, s) => sum + s.to - s.from, 0);
  let left = Math.floor(count / 2);
  const first: Slice[] = [];
  const second: Slice[] = [];
  for (const slice of send) {
    const size = slice.to - slice.from;
    if (left >= size) first.push(slice);
    else if (left <= 0) second.push(slice);
    else {
      first.push({ entry: slice.entry, from: slice.from, to: slice.from + left });
      second.push({ entry: slice.entry, from: slice.from + left, to: slice.to });
    }
    left -= size;
  }
  return [first, second];
}

const elapsedSeconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
