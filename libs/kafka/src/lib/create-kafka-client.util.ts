import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '@tally/config';

/** The part of a pino-style logger kafkajs's lines are written through. */
export interface KafkaLogSink {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * One place that turns config into a kafkajs client, so every service connects with
 * the same timeouts. kafkajs's own logger stays at WARN: its INFO output is per
 * connection and would drown the services' structured logs. Given a sink, kafkajs's
 * lines go through it (an app's pino logger, so they carry its service and version);
 * without one (tests, bench tools) kafkajs prints its own JSON lines.
 */
export function createKafkaClient(config: KafkaConfig, sink?: KafkaLogSink): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: logLevel.WARN,
    ...(sink ? { logCreator: logThrough(sink) } : {}),
    retry: { initialRetryTime: 100, retries: 5 },
  });
}

function logThrough(sink: KafkaLogSink): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // kafkajs's timestamp duplicates pino's `time` and its `logger: 'kafkajs'` the wrapping key; the rest
      // (broker, error, retry counts) is kept.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const line = { kafkajs: { namespace, ...fields } };
      if (level === logLevel.ERROR) sink.error(line, message);
      else if (level === logLevel.WARN) sink.warn(line, message);
      else if (level === logLevel.INFO) sink.info(line, message);
      else sink.debug(line, message);
    };
}
