import { EventEmitter } from 'node:events';
import type { Message, Producer, ProducerRecord } from 'kafkajs';
import { GroupCommitProducer, PublishTooLargeError, PublishUnavailableError } from './group-commit-producer';

/** What kafkajs rejects a send with when one partition's batch is above max.message.bytes. */
const tooLarge = () => Object.assign(new Error('message too large'), { type: 'MESSAGE_TOO_LARGE' });

/**
 * A stand-in for kafkajs's producers: records each produce request of every producer it
 * made, and either lets the test decide when the broker answers or, given `refuse`, answers
 * at once. The group-commit logic is what is under test here; the real broker path is in
 * group-commit-producer.int-spec.
 */
class ScriptedBroker {
  readonly sends: ProducerRecord[] = [];
  readonly producers: (EventEmitter & { disconnected: boolean })[] = [];
  /** Given: answers every send at once, refusing it with the error returned. */
  refuse: ((record: ProducerRecord) => Error | undefined) | undefined;
  private answers: { resolve: () => void; reject: (e: Error) => void }[] = [];

  readonly createProducer = (): Producer => {
    const producer = Object.assign(new EventEmitter(), {
      disconnected: false,
      events: { DISCONNECT: 'producer.disconnect' },
      connect: () => Promise.resolve(),
      disconnect: () => {
        producer.disconnected = true;
        return Promise.resolve();
      },
      send: (record: ProducerRecord) => {
        this.sends.push(record);
        if (this.refuse) {
          const error = this.refuse(record);
          return error ? Promise.reject(error) : Promise.resolve();
        }
        return new Promise<void>((resolve, reject) => this.answers.push({ resolve, reject }));
      },
    });
    this.producers.push(producer);
    return producer as unknown as Producer;
  };

  acknowledgeNext(): void {
    this.answers.shift()?.resolve();
  }

  failNext(error: Error = new Error('broker gone')): void {
    this.answers.shift()?.reject(error);
  }

  values(send: number): unknown[] {
    return this.sends[send]?.messages.map((m) => m.value) ?? [];
  }
}

const messages = (n: number, tag: string, bytes = 0): Message[] =>
  Array.from({ length: n }, (_, i) => ({ key: tag, value: `${tag}-${i}`.padEnd(bytes, '.') }));
const flush = () => new Promise((r) => setImmediate(r));
/** Partitions by the key's first letter, as a test can follow. */
const byFirstLetter = (message: Message) => String(message.key).charCodeAt(0);

describe('GroupCommitProducer', () => {
  const options = { maxBatchMessages: 1_000, maxPendingMessages: 50, timeoutMs: 200 };
  let broker: ScriptedBroker;
  let publisher: GroupCommitProducer;

  beforeEach(() => {
    broker = new ScriptedBroker();
    publisher = new GroupCommitProducer(broker.createProducer, 'topic', options);
  });

  it('sends what queued during an in-flight request together in the next one, with acks from all replicas', async () => {
    const first = publisher.publish(messages(2, 'a'));
    await flush();
    const second = publisher.publish(messages(3, 'b'));
    const third = publisher.publish(messages(1, 'c'));
    await flush();
    expect(broker.sends).toHaveLength(1);

    broker.acknowledgeNext();
    await first;
    await flush();
    expect(broker.sends).toHaveLength(2);
    expect(broker.sends[1]).toMatchObject({ topic: 'topic', acks: -1 });
    expect(broker.values(1)).toEqual(['b-0', 'b-1', 'b-2', 'c-0']);

    broker.acknowledgeNext();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
  });

  it('fails every caller of a refused request as unavailable', async () => {
    const one = publisher.publish(messages(1, 'a'));
    await flush();
    broker.failNext();
    await expect(one).rejects.toBeInstanceOf(PublishUnavailableError);
  });

  it('answers a caller that waits past the deadline, and drops its messages if Kafka never got them', async () => {
    const stuck = publisher.publish(messages(1, 'stuck'));
    await flush();
    const queued = publisher.publish(messages(2, 'queued'));
    await expect(stuck).rejects.toThrow('did not acknowledge');
    await expect(queued).rejects.toBeInstanceOf(PublishUnavailableError);
    expect(publisher.pendingMessages).toBe(0);

    broker.acknowledgeNext();
    await flush();
    // The timed-out queued messages were never handed to Kafka.
    expect(broker.sends.flatMap((s) => s.messages.map((m) => m.value))).toEqual(['stuck-0']);
  });

  it('refuses at once when too much is already waiting, so memory stays bounded', async () => {
    void publisher.publish(messages(1, 'in-flight')).catch(() => undefined);
    await flush();
    void publisher.publish(messages(45, 'waiting')).catch(() => undefined);
    await expect(publisher.publish(messages(10, 'one-too-many'))).rejects.toThrow('too many events waiting');
  });

  describe('bounded by bytes', () => {
    // Each message below is a 300-byte value and a one-letter key: 337 bytes at its widest
    // encoding, so two fit in a 61 + 2 × 337 = 735-byte batch and three do not.
    const bounded = { ...options, maxBatchBytes: 800 };

    it("splits one caller's messages over sends, in order, and answers once the last is acknowledged", async () => {
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', bounded);
      let answered = false;
      const large = publisher.publish(messages(5, 'a', 300)).then(() => (answered = true));
      for (const expected of [['a-0', 'a-1'], ['a-2', 'a-3'], ['a-4']]) {
        await flush();
        expect(broker.values(broker.sends.length - 1).map((v) => String(v).replace(/\.+$/, ''))).toEqual(expected);
        expect(answered).toBe(false);
        broker.acknowledgeNext();
      }
      await large;
      expect(broker.sends).toHaveLength(3);
    });

    it('bounds each partition, not the send, when it knows the partitions', async () => {
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', { ...bounded, partitionOf: byFirstLetter });
      void publisher.publish(messages(1, 'opener'));
      const a = publisher.publish(messages(2, 'a', 300));
      const b = publisher.publish(messages(2, 'b', 300));
      await flush();
      broker.acknowledgeNext();
      await flush();
      // 4 × 337 bytes in one send, 674 in each partition.
      expect(broker.sends[1]?.messages).toHaveLength(4);
      broker.acknowledgeNext();
      await expect(Promise.all([a, b])).resolves.toBeDefined();
    });

    it('bounds the whole send while the partitions are unknown', async () => {
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', { ...bounded, partitionOf: () => undefined });
      void publisher.publish(messages(1, 'opener'));
      void publisher.publish(messages(2, 'a', 300));
      void publisher.publish(messages(2, 'b', 300));
      for (let i = 0; i < 3; i++) {
        await flush();
        broker.acknowledgeNext();
      }
      await flush();
      expect(broker.sends.map((s) => s.messages.map((m) => m.key))).toEqual([['opener'], ['a', 'a'], ['b', 'b']]);
    });

    it('holds the message count as a hard bound too', async () => {
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', { ...options, maxBatchMessages: 3 });
      void publisher.publish(messages(7, 'a'));
      for (let i = 0; i < 3; i++) {
        await flush();
        broker.acknowledgeNext();
      }
      expect(broker.sends.map((s) => s.messages.length)).toEqual([3, 3, 1]);
    });
  });

  describe('refused as too large', () => {
    it('fails only the caller of a message too large for any batch; it went alone, the others are written', async () => {
      broker.refuse = (record) =>
        record.messages.some((m) => String(m.value).length > 1_000) ? tooLarge() : undefined;
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', { ...options, maxBatchBytes: 1_000 });
      const before = publisher.publish(messages(2, 'a'));
      const huge = publisher.publish(messages(1, 'huge', 5_000));
      const after = publisher.publish(messages(2, 'b'));

      await expect(huge).rejects.toBeInstanceOf(PublishTooLargeError);
      await expect(Promise.all([before, after])).resolves.toBeDefined();
      expect(broker.sends.map((s) => s.messages.map((m) => m.key))).toEqual([['a', 'a'], ['huge'], ['b', 'b']]);
    });

    it('tries the halves of a refused send on a new producer, until only the message that cannot be written fails', async () => {
      // A broker that takes less than the producer was told: 1,000 value bytes a send.
      broker.refuse = (record) =>
        record.messages.reduce((sum, m) => sum + String(m.value).length, 0) > 1_000 ? tooLarge() : undefined;
      const made = broker.producers.length;
      publisher = new GroupCommitProducer(broker.createProducer, 'topic', { ...options, maxBatchBytes: 1_000_000 });
      void publisher.publish(messages(1, 'opener'));
      const others = [publisher.publish(messages(3, 'a', 300)), publisher.publish(messages(2, 'b', 100))];
      const huge = publisher.publish(messages(1, 'huge', 2_000));
      const last = publisher.publish(messages(1, 'c', 300));

      await expect(huge).rejects.toBeInstanceOf(PublishTooLargeError);
      await expect(Promise.all([...others, last])).resolves.toBeDefined();
      // Every refused send was the last of its producer: kafkajs's sequence numbers are not to be trusted after one.
      const refusals = broker.sends.filter((s) => broker.refuse?.(s) !== undefined).length;
      expect(refusals).toBeGreaterThan(1);
      const ours = broker.producers.slice(made);
      expect(ours).toHaveLength(1 + refusals);
      expect(ours.slice(0, -1).every((p) => p.disconnected)).toBe(true);
      // In order: what was written of each key is its messages as published.
      const written = broker.sends.filter((s) => broker.refuse?.(s) === undefined).flatMap((s) => s.messages);
      expect(written.filter((m) => m.key === 'a').map((m) => String(m.value).slice(0, 3))).toEqual([
        'a-0',
        'a-1',
        'a-2',
      ]);
    });

    it('replaces the producer after any refused send', async () => {
      const one = publisher.publish(messages(1, 'a'));
      await flush();
      broker.failNext(new Error('INVALID_RECORD'));
      await expect(one).rejects.toBeInstanceOf(PublishUnavailableError);
      const two = publisher.publish(messages(1, 'b'));
      await flush();
      broker.acknowledgeNext();
      await two;
      expect(broker.producers).toHaveLength(2);
      expect(broker.producers[0]?.disconnected).toBe(true);
    });
  });
});
