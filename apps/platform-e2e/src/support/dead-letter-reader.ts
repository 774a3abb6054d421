import { TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { uniqueName, type TestEnvironment } from '@tally/testing';

export interface DeadLetterSeen {
  readonly key: string;
  readonly reason: string;
  readonly source: string;
}

export interface DeadLetterReader {
  /** Dead letters whose key starts with the prefix, in arrival order. */
  readonly seen: DeadLetterSeen[];
  stop(): Promise<void>;
}

/** Reads the dead-letter topic from its current end (offsets taken before subscribing). */
export async function readDeadLetters(env: TestEnvironment, keyPrefix: string): Promise<DeadLetterReader> {
  const kafka = createKafkaClient({ ...env.kafka, clientId: 'tally-e2e-dlq-reader' });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.eventsDeadLetter.name);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-dlq-reader'), maxWaitTimeInMs: 100 });
  const seen: DeadLetterSeen[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.eventsDeadLetter.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (!key.startsWith(keyPrefix)) return;
      seen.push({
        key,
        reason: message.headers?.['tally-dlq-reason']?.toString() ?? '',
        source: message.headers?.['tally-dlq-source']?.toString() ?? '',
      });
    },
  });
  for (const { partition, offset } of ends) consumer.seek({ topic: TOPICS.eventsDeadLetter.name, partition, offset });
  return { seen, stop: () => consumer.disconnect() };
}
