import { TOPICS, eventEnvelopeV1Schema, type EventEnvelopeV1 } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { uniqueName, type TestEnvironment } from '@tally/testing';
import type { Consumer } from 'kafkajs';

export interface PartitionOffset {
  readonly partition: number;
  readonly offset: string;
}

export interface TopicReader {
  /** Envelopes read so far for the tenant, parsed with the shared contract. */
  readonly envelopes: EventEnvelopeV1[];
  /** The Kafka key of each of those messages, in the same order. */
  readonly keys: string[];
  /** The messages' values as they are in Kafka, before any parse: what the topic stores. */
  readonly values: string[];
  /** Why each message the contract refused was refused. */
  readonly invalid: string[];
  /** Where reading started, to read the same span again later. */
  readonly startOffsets: readonly PartitionOffset[];
  stop(): Promise<void>;
}

/**
 * Reads the events topic from its current end, keeping one tenant's messages (their keys
 * start with the tenant id, as the contract has them: `tenantId:userId`). The end
 * offsets are taken before subscribing and committed as the new group's start, so
 * nothing sent after this resolves is missed (a "latest" reset would race the producer).
 */
export async function readEventsTopic(
  env: TestEnvironment,
  tenantId: string,
  from?: readonly PartitionOffset[],
): Promise<TopicReader> {
  const kafka = createKafkaClient({ ...env.kafka, clientId: 'tally-e2e-reader' });
  const groupId = uniqueName('e2e-reader');
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const envelopes: EventEnvelopeV1[] = [];
  const keys: string[] = [];
  const invalid: string[] = [];
  const values: string[] = [];
  const admin = kafka.admin();
  await admin.connect();
  let ends: readonly PartitionOffset[];
  try {
    ends = (from ?? (await admin.fetchTopicOffsets(TOPICS.events.name))).map(({ partition, offset }) => ({
      partition,
      offset,
    }));
    // The group starts there because its offsets are committed before it exists: a seek after
    // `run` would race the join, which a broker just restarted delays ("coordinator is loading").
    await admin.setOffsets({ groupId, topic: TOPICS.events.name, partitions: [...ends] });
  } finally {
    await admin.disconnect();
  }
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.events.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (!key.startsWith(`${tenantId}:`)) return;
      const value = message.value?.toString() ?? 'null';
      values.push(value);
      const parsed = eventEnvelopeV1Schema.safeParse(JSON.parse(value));
      // A message the contract refuses is a finding, not a reason to stall the reader.
      if (!parsed.success) {
        invalid.push(parsed.error.message);
        return;
      }
      envelopes.push(parsed.data);
      keys.push(key);
    },
  });
  return { envelopes, keys, values, invalid, startOffsets: ends, stop: () => consumer.disconnect() };
}
