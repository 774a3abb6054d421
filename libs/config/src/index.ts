export { ConfigError, parseConfig, type EnvSource } from './lib/parse-config.util';
export { hostField, hostPortListField, logLevelField, portField, serviceEnvFields, urlField } from './lib/env-fields.schema';
