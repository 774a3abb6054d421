import { z } from 'zod';
import {
  kafkaEnvFields,
  mongoConfigFrom,
  mongoEnvFields,
  parseConfig,
  portField,
  redisConfigFrom,
  redisEnvFields,
  urlField,
  type EnvSource,
} from '@tally/config';

/**
 * The stack reads the same variables as the apps, so whatever address an app is
 * told to use is the address the stack provides (or finds already answering).
 */
const stackEnvSchema = z
  .object({
    ...kafkaEnvFields,
    ...redisEnvFields,
    ...mongoEnvFields,
    PROMETHEUS_URL: urlField('http://127.0.0.1:9090', ['http:']),
    KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
    INGEST_API_PORT: portField(3000),
    AGGREGATION_API_PORT: portField(3001),
    PROCESSOR_WORKER_PORT: portField(3002),
  })
  .transform((env) => ({
    kafka: { brokers: env.KAFKA_BROKERS, partitions: env.KAFKA_TOPIC_PARTITIONS },
    redis: redisConfigFrom(env),
    mongo: mongoConfigFrom(env),
    prometheus: { url: env.PROMETHEUS_URL },
    /** Where the local run puts each app: Prometheus scrapes there, `npm start` listens there. */
    appPorts: {
      'ingest-api': env.INGEST_API_PORT,
      'aggregation-api': env.AGGREGATION_API_PORT,
      'processor-worker': env.PROCESSOR_WORKER_PORT,
    },
  }));

export type StackConfig = z.output<typeof stackEnvSchema>;

export const loadStackConfig = (env: EnvSource): StackConfig => parseConfig('stack', stackEnvSchema, env);

/** host and port of a `scheme://host:port/...` URL, with the scheme's default port. */
export function hostPortOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return { host, port: parsed.port ? Number(parsed.port) : defaultPort };
}

/** `host:port` → parts. */
export function splitHostPort(hostPort: string): { host: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
}
