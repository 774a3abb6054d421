import { Module, type DynamicModule } from '@nestjs/common';
import { RollupsModule } from '../rollups/rollups.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsQueryService } from './analytics-query.service';
import { CountsReader } from './counts.reader';
import { QUERY_CACHE_OPTIONS, QueryCache, type QueryCacheOptions } from './query-cache';
import { QueryQuotaGuard } from './query-quota.guard';
import { QueryResponder } from './query.responder';
import { QueryMetrics } from './query.metrics';
import { UniquesReader } from './uniques.reader';

@Module({})
export class QueryAnalyticsModule {
  static forRoot(cache: QueryCacheOptions): DynamicModule {
    return {
      module: QueryAnalyticsModule,
      imports: [RollupsModule],
      controllers: [AnalyticsController],
      providers: [
        { provide: QUERY_CACHE_OPTIONS, useValue: cache },
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
