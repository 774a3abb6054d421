import { Module, type DynamicModule } from '@nestjs/common';
import { RollupsModule } from '../rollups/rollups.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsQueryService } from './analytics-query.service';
import { CountsReader } from './counts.reader';
import { QUERY_CACHE_OPTIONS, QueryCache, type QueryCacheOptions } from './query-cache';
import { QueryQuotaGuard } from './query-quota.guard';
import { QueryResponder } from './query.responder';
import { QueryMetrics } from './query.metrics';
import { QuerySlots } from './query-slots.limiter';
import { UniquesReader } from './uniques.reader';

export interface QueryConcurrencyOptions {
  /** Uncached answers one tenant may have being computed at once on one replica. */
  readonly maxPerTenant: number;
}

@Module({})
export class QueryAnalyticsModule {
  static forRoot(cache: QueryCacheOptions, concurrency: QueryConcurrencyOptions): DynamicModule {
    return {
      module: QueryAnalyticsModule,
      imports: [RollupsModule],
      controllers: [AnalyticsController],
      providers: [
        { provide: QUERY_CACHE_OPTIONS, useValue: cache },
        { provide: QuerySlots, useValue: new QuerySlots(concurrency.maxPerTenant) },
        QueryMetrics,
        QueryCache,
        QueryResponder,
        QueryQuotaGuard,
        CountsReader,
        UniquesReader,
        AnalyticsQueryService,
      ],
    };
  }
}
