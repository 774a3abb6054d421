import { TOPICS } from '@tally/contracts';
import { eventually, testEnvironment, uniqueName } from '@tally/testing';
import type { Consumer, Producer } from 'kafkajs';
import { createKafkaClient } from './create-kafka-client.util';

describe('Kafka (real broker)', () => {
  const env = testEnvironment();
  const kafka = createKafkaClient(env.kafka);
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
  });

  it('has every registry topic, with room for the worker to scale out', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.events.name, TOPICS.eventsDeadLetter.name] });
      for (const topic of metadata.topics) expect(topic.partitions.length).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers a produced message to a consumer group, key and value intact', async () => {
    const key = uniqueName('smoke');
    const received: { key: string; value: string }[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.eventsDeadLetter.name, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
    // The group joins asynchronously; keep producing until it has caught one of ours.
    await eventually(
      async () => {
        await producer.send({ topic: TOPICS.eventsDeadLetter.name, acks: -1, messages: [{ key, value: 'hello' }] });
        expect(received).toContainEqual({ key, value: 'hello' });
      },
      60_000,
      1_000,
    );
  });
});
