export { createKafkaClient } from './lib/create-kafka-client.util';
export { KAFKA_CLIENT, KafkaModule, KafkaReadiness } from './lib/kafka.module';
