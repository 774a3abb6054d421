import { TOPICS } from '@tally/contracts';
import { testEnvironment, uniqueName } from '@tally/testing';
import { ConfigResourceTypes, type Admin, type Message, type Producer } from 'kafkajs';
import { createKafkaClient } from './create-kafka-client.util';
import {
  DEFAULT_MAX_BATCH_BYTES,
  GroupCommitProducer,
  PublishTooLargeError,
  type GroupCommitOptions,
} from './group-commit-producer';
import { KeyPartitioning } from './key-partitioner';

/**
 * Issue 17 against the real broker: concurrent large requests of one user, coalesced into
 * one send, put more than the topic's max.message.bytes into one partition's record batch,
 * and the broker's MESSAGE_TOO_LARGE failed everyone in that send. A topic of this test's
 * own, created like the registry's (same partitions, the broker's default limits), so
 * offsets can be counted exactly and no consumer of the real topic sees these payloads.
 */
describe('GroupCommitProducer (real broker)', () => {
  const env = testEnvironment();
  const kafka = createKafkaClient(env.kafka);
  const topic = uniqueName('group-commit');
  let admin: Admin;
  let partitions: number;
  const producers: Producer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    const registry = await admin.fetchTopicMetadata({ topics: [TOPICS.events.name] });
    partitions = registry.topics[0]?.partitions.length ?? 0;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** A publisher configured as ingest-api's, but for this test's topic. */
  function publisherFor(options: Partial<GroupCommitOptions> = {}): GroupCommitProducer {
    const partitioning = new KeyPartitioning();
    return new GroupCommitProducer(
      () => {
        const producer = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: partitioning.createPartitioner,
          retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
        });
        producers.push(producer);
        return producer;
      },
      topic,
      {
        maxBatchMessages: 10_000,
        maxPendingMessages: 100_000,
        timeoutMs: 50_000,
        partitionOf: (m) => partitioning.partitionOf(topic, m.key),
        ...options,
      },
    );
  }

  /** One request's share: `count` events of `bytes` each, all for one key. */
  const request = (key: string, count: number, bytes: number): Message[] =>
    Array.from({ length: count }, (_, i) => ({ key, value: `${key}:${i}:`.padEnd(bytes, 'x') }));

  const offsets = async (): Promise<number[]> => {
    const byPartition = await admin.fetchTopicOffsets(topic);
    return byPartition.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
  };
  const total = (counts: number[]) => counts.reduce((sum, n) => sum + n, 0);

  it('the registry topic and this test topic take the same record batch size, above the default bound', async () => {
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [TOPICS.events.name, topic].map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['max.message.bytes'],
      })),
    });
    const [registry, ours] = configs.resources.map((r) => Number(r.configEntries[0]?.configValue));
    expect(ours).toBe(registry);
    expect(registry).toBeGreaterThan(DEFAULT_MAX_BATCH_BYTES);
  });

  it("writes six concurrent 450 KB requests of one user and another tenant's small one, all acknowledged", async () => {
    const publisher = publisherFor();
    const before = total(await offsets());
    // The first publish goes out at once; everything published while it is in flight is
    // coalesced into the next send: 6 × 15 × 30 KB = 2.7 MB for one key, so one partition.
    const opener = publisher.publish(request('tenant-c:user-9', 1, 100));
    const large = Array.from({ length: 6 }, () => publisher.publish(request('tenant-a:user-1', 15, 30_000)));
    const small = publisher.publish(request('tenant-b:user-2', 3, 200));

    const outcomes = await Promise.allSettled([opener, ...large, small]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));
    // Exactly once: nothing lost, nothing written twice.
    expect(total(await offsets()) - before).toBe(1 + 6 * 15 + 3);
  });

  it('writes one request larger than a record batch, for one user, over several sends', async () => {
    // 2,500 events of 600 bytes (ingest's most events a request): 1.5 MB on one partition.
    const publisher = publisherFor();
    const before = total(await offsets());
    await publisher.publish(request('tenant-a:user-3', 2_500, 600));
    expect(total(await offsets()) - before).toBe(2_500);
  });

  it('fails only the request the broker cannot take when it takes less than the producer was told, and loses nothing after', async () => {
    // Told 8 MB a batch, the producer learns from refusals: halves of each refused send, on a fresh producer.
    const publisher = publisherFor({ maxBatchBytes: 8_000_000 });
    const [a, b, huge] = keysOnDistinctPartitions(['tenant-a:user-1', 'tenant-b:user-2', 'tenant-d:user-4']);
    const before = await offsets();
    const opener = publisher.publish(request(a, 1, 100));
    const large = Array.from({ length: 6 }, () => publisher.publish(request(a, 15, 30_000)));
    const small = publisher.publish(request(b, 3, 200));
    const tooLarge = publisher.publish(request(huge, 1, 1_200_000));

    await expect(tooLarge).rejects.toBeInstanceOf(PublishTooLargeError);
    const outcomes = await Promise.allSettled([opener, ...large, small]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));

    // A refused send may have written some partitions (they may hold a copy twice, for
    // consumers to deduplicate by message id), and kafkajs's sequence numbers no longer
    // matched the broker's: a next send of as many messages was acknowledged and dropped.
    const written = await offsets();
    await publisher.publish(request(b, 3, 200));
    const partitionOfB = partitionOf(b);
    expect(((await offsets())[partitionOfB] ?? 0) - (written[partitionOfB] ?? 0)).toBe(3);
    expect((written[partitionOf(huge)] ?? 0) - (before[partitionOf(huge)] ?? 0)).toBe(0);
  });

  const partitionOf = (key: string): number => {
    const partitioning = new KeyPartitioning();
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    return partitioning.createPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
  };

  /** The keys, each with a suffix that puts it on a partition none of the others is on. */
  function keysOnDistinctPartitions(keys: [string, string, string]): [string, string, string] {
    const used = new Set<number>();
    return keys.map((key) => {
      for (let n = 0; ; n++) {
        const candidate = `${key}-${n}`;
        if (!used.has(partitionOf(candidate))) {
          used.add(partitionOf(candidate));
          return candidate;
        }
      }
    }) as [string, string, string];
  }
});
