import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from '@tally/config';

/**
 * One place that turns config into a kafkajs client, so every service connects with
 * the same timeouts. kafkajs's own logger stays at WARN: its INFO output is per
 * connection and would drown the services' structured logs.
 */
export function createKafkaClient(config: KafkaConfig): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 5 },
  });
}
