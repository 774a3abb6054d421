import { EventEmitter } from 'node:events';
import type { Message, Producer, ProducerRecord } from 'kafkajs';
import { GroupCommitProducer, PublishUnavailableError } from './group-commit-producer';

/**
 * A stand-in for kafkajs's Producer that records each produce request and lets the test
 * decide when the broker answers. The group-commit logic is what is under test here;
 * the real broker path is covered by the ingest end-to-end suites.
 */
class ScriptedProducer extends EventEmitter {
  readonly events = { DISCONNECT: 'producer.disconnect' };
  readonly sends: ProducerRecord[] = [];
  private answers: { resolve: () => void; reject: (e: Error) => void }[] = [];

  connect(): Promise<void> {
    return Promise.resolve();
  }

  send(record: ProducerRecord): Promise<void> {
    this.sends.push(record);
    return new Promise((resolve, reject) => this.answers.push({ resolve, reject }));
  }

  acknowledgeNext(): void {
    this.answers.shift()?.resolve();
  }

  failNext(): void {
    this.answers.shift()?.reject(new Error('broker gone'));
  }
}

const messages = (n: number, tag: string): Message[] =>
  Array.from({ length: n }, (_, i) => ({ key: tag, value: `${tag}-${i}` }));
const flush = () => new Promise((r) => setImmediate(r));

describe('GroupCommitProducer', () => {
  const options = { maxBatchMessages: 1_000, maxPendingMessages: 50, timeoutMs: 200 };
  let producer: ScriptedProducer;
  let publisher: GroupCommitProducer;

  beforeEach(() => {
    producer = new ScriptedProducer();
    publisher = new GroupCommitProducer(producer as unknown as Producer, 'topic', options);
  });

  it('sends what queued during an in-flight request together in the next one, with acks from all replicas', async () => {
    const first = publisher.publish(messages(2, 'a'));
    await flush();
    const second = publisher.publish(messages(3, 'b'));
    const third = publisher.publish(messages(1, 'c'));
    await flush();
    expect(producer.sends).toHaveLength(1);

    producer.acknowledgeNext();
    await first;
    await flush();
    expect(producer.sends).toHaveLength(2);
    expect(producer.sends[1]).toMatchObject({ topic: 'topic', acks: -1 });
    expect(producer.sends[1]?.messages.map((m) => m.value)).toEqual(['b-0', 'b-1', 'b-2', 'c-0']);

    producer.acknowledgeNext();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
  });

  it('fails every caller of a refused request as unavailable', async () => {
    const one = publisher.publish(messages(1, 'a'));
    await flush();
    producer.failNext();
    await expect(one).rejects.toBeInstanceOf(PublishUnavailableError);
  });

  it('answers a caller that waits past the deadline, and drops its messages if Kafka never got them', async () => {
    const stuck = publisher.publish(messages(1, 'stuck'));
    await flush();
    const queued = publisher.publish(messages(2, 'queued'));
    await expect(stuck).rejects.toThrow('did not acknowledge');
    await expect(queued).rejects.toBeInstanceOf(PublishUnavailableError);
    expect(publisher.pendingMessages).toBe(0);

    producer.acknowledgeNext();
    await flush();
    // The timed-out queued messages were never handed to Kafka.
    expect(producer.sends.flatMap((s) => s.messages.map((m) => m.value))).toEqual(['stuck-0']);
  });

  it('refuses at once when too much is already waiting, so memory stays bounded', async () => {
    void publisher.publish(messages(1, 'in-flight')).catch(() => undefined);
    await flush();
    void publisher.publish(messages(45, 'waiting')).catch(() => undefined);
    await expect(publisher.publish(messages(10, 'one-too-many'))).rejects.toThrow('too many events waiting');
  });
});
