export { ALL_TOPICS, TOPICS, deadLetterTopicOf, type TopicKey, type TopicSpec } from './lib/kafka-topics';
