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
 * lines go through it (an app's pino logger, so they carry its service and version),
 * each distinct line at most once per `KAFKA_LOG_REPEAT_WINDOW_MS`; without one (tests,
 * bench tools) kafkajs prints its own JSON lines.
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

/**
 * The same line again within this time is counted, not written: during a broker outage
 * kafkajs logs every failed connection attempt, stack included, dozens a second.
 */
export const KAFKA_LOG_REPEAT_WINDOW_MS = 10_000;

function logThrough(sink: KafkaLogSink): logCreator {
  return () => {
    const repeats = new RepeatFilter(KAFKA_LOG_REPEAT_WINDOW_MS);
    return ({ namespace, level, log }: LogEntry) => {
      // kafkajs's timestamp duplicates pino's `time` and its `logger: 'kafkajs'` the wrapping key; the rest
      // (broker, error, retry counts) is kept.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const unwritten = repeats.pass(`${level}|${namespace}|${message}|${String(fields['error'] ?? '')}`);
      if (unwritten === undefined) return;
      const line = { kafkajs: { namespace, ...fields }, ...(unwritten > 0 ? { repeatedUnwritten: unwritten } : {}) };
      if (level === logLevel.ERROR) sink.error(line, message);
      else if (level === logLevel.WARN) sink.warn(line, message);
      else if (level === logLevel.INFO) sink.info(line, message);
      else sink.debug(line, message);
    };
  };
}

/** Lets a line through once per window; a line let through says how many like it were held back before it. */
class RepeatFilter {
  private readonly lines = new Map<string, { until: number; held: number }>();

  constructor(private readonly windowMs: number) {}

  /** undefined: hold this one back; otherwise how many like it were held back since the last written. */
  pass(key: string): number | undefined {
    const now = Date.now();
    const seen = this.lines.get(key);
    if (seen && now < seen.until) {
      seen.held += 1;
      return undefined;
    }
    if (this.lines.size >= 500) this.forgetExpired(now);
    this.lines.set(key, { until: now + this.windowMs, held: 0 });
    return seen?.held ?? 0;
  }

  private forgetExpired(now: number): void {
    for (const [key, seen] of this.lines) if (now >= seen.until) this.lines.delete(key);
  }
}
