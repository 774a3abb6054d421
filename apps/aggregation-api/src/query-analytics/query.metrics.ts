import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tally/observability';

/** Query metric families: by route and cache result only (no tenant label). */
@Injectable()
export class QueryMetrics {
  readonly duration: Histogram<'route' | 'cache'>;
  readonly cache: Counter<'result'>;
  readonly overConcurrency: Counter<'route'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'aggregation_query_duration_seconds',
      help: 'Time to answer an analytics query (after authentication and quota), by route and cache result.',
      labelNames: ['route', 'cache'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.cache = new Counter({
      name: 'aggregation_cache_requests_total',
      help: 'Analytics queries by cache result: hit or miss.',
      labelNames: ['result'] as const,
      registers,
    });
    this.overConcurrency = new Counter({
      name: 'aggregation_queries_over_concurrency_total',
      help: 'Uncached queries refused with 429 because their tenant already had the most allowed being computed on this replica, by route.',
      labelNames: ['route'] as const,
      registers,
    });
  }
}
