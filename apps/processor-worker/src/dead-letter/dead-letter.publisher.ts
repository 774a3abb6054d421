import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { TOPICS } from '@tally/contracts';
import { KAFKA_CLIENT } from '@tally/kafka';
import type { PoisonReason } from '../consume-events/decode-message';

/** A message the worker cannot process, and why. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly reason: PoisonReason;
  readonly detail: string;
}

/** Longest reason detail kept in a header: enough to act on, never the whole payload again. */
const MAX_DETAIL = 1_000;

/**
 * Sends poison messages to the dead-letter topic, as they came (key, value, headers)
 * plus `tally-dlq-*` headers saying why and where from. The send is acknowledged by
 * Kafka (all in-sync replicas) before the source offset is committed, so a poison
 * message is never dropped.
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka) {
    // Not idempotent: kafkajs's idempotent producer wants endless retries, which would stop the
    // caller's own backoff loop from heartbeating. A retried chunk may dead-letter a message twice;
    // the `tally-dlq-source` header tells the copies apart.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.producer.send({
      topic: TOPICS.eventsDeadLetter.name,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.message.key,
        value: letter.message.value,
        headers: {
          ...letter.message.headers,
          'tally-dlq-reason': letter.reason,
          'tally-dlq-detail': letter.detail.slice(0, MAX_DETAIL),
          'tally-dlq-source': `${letter.topic}/${letter.partition}/${letter.message.offset}`,
          'tally-dlq-at': new Date().toISOString(),
        } satisfies IHeaders,
      })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
