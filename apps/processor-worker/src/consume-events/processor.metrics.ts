import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tally/observability';
import type { PoisonReason } from './decode-message';

/** What became of a message: a closed set, so the label stays bounded. */
export type MessageOutcome = 'applied' | 'duplicate' | 'redelivered' | 'dead_lettered';

/** A store the worker waits for when it is down. */
export type Store = 'mongodb' | 'redis' | 'kafka';

/** The worker's metric families. Labels are bounded: outcome, reason, store, partition (≤ partition count). */
@Injectable()
export class ProcessorMetrics {
  readonly messages: Counter<'outcome'>;
  readonly deadLettered: Counter<'reason'>;
  readonly folded: Counter<'reason'>;
  readonly propsDropped: Counter;
  readonly batchDuration: Histogram;
  readonly stepDuration: Histogram<'step'>;
  readonly consumerLag: Gauge<'partition'>;
  readonly endToEnd: Histogram;
  readonly storeRetries: Counter<'store'>;
  readonly waitingForStore: Gauge<'store'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.messages = new Counter({
      name: 'processor_events_total',
      help: 'Messages of the events topic worked, by outcome: applied, duplicate (another message has that tenant + messageId), redelivered (already applied), dead_lettered.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.deadLettered = new Counter({
      name: 'processor_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by reason.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.folded = new Counter({
      name: 'processor_events_folded_total',
      help: 'Events counted as "(other)" because their tenant reached a bound (event_names: distinct names).',
      labelNames: ['reason'] as const,
      registers,
    });
    this.propsDropped = new Counter({
      name: 'processor_props_dropped_total',
      help: 'Scalar leaves of events kept in the payload only, not as queryable fields: past the 64 leaves an event keeps, or with a key over 200 characters.',
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'processor_batch_duration_seconds',
      help: 'Time to make one chunk of messages durable (dead letters, MongoDB, Redis), retries included.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'processor_step_duration_seconds',
      help: 'Time of each step of a chunk (open, decode, mongodb, dead_letter, redis): which store bounds throughput.',
      labelNames: ['step'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'processor_consumer_lag',
      help: 'Messages between the last one worked and the end of the partition, by partition.',
      labelNames: ['partition'] as const,
      registers,
    });
    this.endToEnd = new Histogram({
      name: 'processor_end_to_end_latency_seconds',
      help: 'From receipt at ingest-api to effects applied in Redis (now - receivedAt), per applied event.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.storeRetries = new Counter({
      name: 'processor_store_retries_total',
      help: 'Attempts that failed because a store was unavailable, by store (each is retried with backoff).',
      labelNames: ['store'] as const,
      registers,
    });
    this.waitingForStore = new Gauge({
      name: 'processor_waiting_for_store',
      help: 'Partitions paused while a store is unavailable, by store.',
      labelNames: ['store'] as const,
      registers,
    });
  }

  outcome(outcome: MessageOutcome, count: number): void {
    if (count > 0) this.messages.inc({ outcome }, count);
  }

  deadLetter(reason: PoisonReason): void {
    this.deadLettered.inc({ reason });
    this.messages.inc({ outcome: 'dead_lettered' });
  }
}
