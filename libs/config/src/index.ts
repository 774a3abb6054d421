export { APP_NODE_FLAGS } from './lib/app-node-flags';
export { ConfigError, parseConfig, type EnvSource } from './lib/parse-config.util';
export {
  hostField,
  hostPortListField,
  intField,
  logLevelField,
  portField,
  serviceEnvFields,
  urlField,
} from './lib/env-fields.schema';
export { kafkaConfigFrom, kafkaEnvFields, type KafkaConfig } from './lib/kafka-env.schema';
export { mongoConfigFrom, mongoEnvFields, type MongoConfig } from './lib/mongo-env.schema';
export { redisConfigFrom, redisEnvFields, type RedisConfig } from './lib/redis-env.schema';
export { tenancyConfigFrom, tenancyEnvFields, type QuotaSettings, type TenancyConfig } from './lib/tenancy-env.schema';
