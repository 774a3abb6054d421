export { createKafkaClient } from './lib/create-kafka-client.util';
export { kafkaConfigFrom, kafkaEnvFields, type KafkaConfig } from './lib/kafka-env.schema';
export { KAFKA_CLIENT, KafkaModule, KafkaReadiness } from './lib/kafka.module';
