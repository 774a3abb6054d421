import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tally/observability';

/** The periodic aggregation's metric families (no tenant label). */
@Injectable()
export class AggregationMetrics {
  readonly runDuration: Histogram;
  readonly lag: Gauge;
  readonly minutesRolled: Counter<'source'>;
  readonly runs: Counter<'outcome'>;
  readonly tenantFailures: Counter<'reason'>;
  readonly leader: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.runDuration = new Histogram({
      name: 'aggregation_run_duration_seconds',
      help: 'Duration of one aggregation run on the leader.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.lag = new Gauge({
      name: 'aggregation_lag_seconds',
      help: 'At the start of the last run, how long ago the oldest closed minute waiting for its rollup ended (0: none waiting).',
      registers,
    });
    this.minutesRolled = new Counter({
      name: 'aggregation_minutes_rolled_total',
      help: 'Minutes rolled up, by source: redis (the worker counters) or raw_events (recounted from MongoDB).',
      labelNames: ['source'] as const,
      registers,
    });
    this.runs = new Counter({
      name: 'aggregation_runs_total',
      help: 'Aggregation runs by outcome: done, failed, or follower (another replica leads).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.tenantFailures = new Counter({
      name: 'aggregation_tenant_failures_total',
      help: 'Tenants whose rollup failed in a run (the run went on with the others; the tenant is retried next run), by reason: document_too_large or other.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.leader = new Gauge({
      name: 'aggregation_leader',
      help: '1 while this replica leads the periodic aggregation.',
      registers,
    });
  }
}
