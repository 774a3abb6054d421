import { Counter, Histogram, type Registry } from 'prom-client';

/** Why an event was not accepted: a closed set, so the label stays bounded. */
export type RejectReason = 'invalid' | 'too_large' | 'out_of_range' | 'over_quota' | 'unavailable';

export class IngestMetrics {
  readonly events: Counter<'outcome' | 'reason'>;
  readonly produceDuration: Histogram<'result'>;
  readonly produceBatchSize: Histogram;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'ingest_events_total',
      help: 'Events received by ingest-api, by outcome (accepted, rejected) and reject reason.',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    });
    this.produceDuration = new Histogram({
      name: 'ingest_produce_duration_seconds',
      help: 'Time for one produce request to Kafka (acks from all in-sync replicas), by result.',
      labelNames: ['result'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.produceBatchSize = new Histogram({
      name: 'ingest_produce_batch_messages',
      help: 'Messages per produce request: how well concurrent requests share batches (group commit).',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    });
  }

  accepted(count: number): void {
    if (count > 0) this.events.inc({ outcome: 'accepted', reason: 'none' }, count);
  }

  rejected(reason: RejectReason, count = 1): void {
    if (count > 0) this.events.inc({ outcome: 'rejected', reason }, count);
  }
}
