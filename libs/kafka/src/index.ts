export { createKafkaClient, type KafkaLogSink } from './lib/create-kafka-client.util';
export { KAFKA_CLIENT, KafkaModule, KafkaReadiness } from './lib/kafka.module';
export {
  DEFAULT_MAX_BATCH_BYTES,
  GroupCommitProducer,
  PublishTooLargeError,
  PublishUnavailableError,
  type GroupCommitOptions,
} from './lib/group-commit-producer';
export { KeyPartitioner, KeyPartitioning, murmur2 } from './lib/key-partitioner';
