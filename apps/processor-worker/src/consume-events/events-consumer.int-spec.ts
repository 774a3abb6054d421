import { KafkaJSNonRetriableError, type KafkaMessage } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { EVENT_ENVELOPE_VERSION, TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';
import { newTenantId } from '@tally/tenant-scope';
import { eventually, testEnvironment, uniqueName } from '@tally/testing';
import type { ChunkProcessor, ChunkSummary } from './chunk-processor';
import { EventsConsumer } from './events-consumer.service';
import { ProcessorMetrics } from './processor.metrics';

/**
 * Fails its first chunk with an error kafkajs does not restart from, then counts what it is
 * given once the consumer has been started again (chunks of other partitions fetched with
 * the failing one may still be handed over before the crash takes effect).
 */
class FailingOnceProcessor {
  failed = false;
  restarted = false;
  processedAfterRestart = 0;

  async process(messages: readonly KafkaMessage[]): Promise<ChunkSummary> {
    if (!this.failed) {
      this.failed = true;
      throw new KafkaJSNonRetriableError('a failure kafkajs does not restart from');
    }
    if (this.restarted) this.processedAfterRestart += messages.length;
    const stepMs = { open: 0, decode: 0, mongodb: 0, deadLetter: 0, redis: 0 };
    return {
      messages: messages.length,
      applied: 0,
      duplicates: 0,
      redelivered: 0,
      deadLettered: 0,
      requestIds: [],
      stepMs,
    };
  }
}

/** The worker's consumer against the real broker: a crash kafkajs leaves alone does not stop it for good. */
describe('EventsConsumer', () => {
  const env = testEnvironment();
  const kafka = createKafkaClient({ ...env.kafka, clientId: 'tally-test-consumer-restart' });

  it('starts its consumer again after a crash kafkajs does not restart from, and goes on consuming', async () => {
    // One well-formed event of a tenant nobody reads, so the topic has something to consume.
    const tenantId = newTenantId();
    const producer = kafka.producer();
    await producer.connect();
    const now = new Date().toISOString();
    await producer.send({
      topic: TOPICS.events.name,
      messages: [
        {
          key: `${tenantId}:u`,
          value: JSON.stringify({
            v: EVENT_ENVELOPE_VERSION,
            tenantId,
            messageId: 'restart-probe',
            receivedAt: now,
            timestamp: now,
            event: { type: 'track', event: 'Restart Probe', userId: 'u', messageId: 'restart-probe' },
          }),
        },
      ],
    });
    await producer.disconnect();

    const processor = new FailingOnceProcessor();
    const lines: string[] = [];
    const record = (_fields: unknown, message: string) => {
      lines.push(message);
      if (message === 'starting the consumer again after a crash') processor.restarted = true;
    };
    const logger = { setContext: () => undefined, info: record, warn: record, error: record } as unknown as PinoLogger;
    const consumer = new EventsConsumer(
      kafka,
      {
        groupId: uniqueName('restart'),
        partitionsConcurrently: 1,
        chunkSize: 500,
        sessionTimeoutMs: 10_000,
        maxEventNamesPerTenant: 2_000,
      },
      processor as unknown as ChunkProcessor,
      new ProcessorMetrics(new Registry()),
      logger,
    );
    try {
      await consumer.onApplicationBootstrap();
      await eventually(() => expect(processor.processedAfterRestart).toBeGreaterThan(0), 60_000, 200);
      expect(lines).toEqual(
        expect.arrayContaining([
          'consumer crashed',
          'starting the consumer again after a crash',
          'joined consumer group',
        ]),
      );
      expect(consumer.status()).toEqual({ joined: true, crashed: undefined });
    } finally {
      await consumer.beforeApplicationShutdown();
    }
  }, 90_000);
});
