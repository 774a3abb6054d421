import { z } from 'zod';
import { hostPortListField } from './env-fields.schema';

/** Environment variables every Kafka-using service accepts. */
export const kafkaEnvFields = {
  KAFKA_BROKERS: hostPortListField('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
};

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

export function kafkaConfigFrom(
  env: { KAFKA_BROKERS: string[]; KAFKA_CLIENT_ID?: string | undefined },
  defaultClientId: string,
): KafkaConfig {
  return { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? defaultClientId };
}
