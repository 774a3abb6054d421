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
import { NameCounterAnswers } from './query-v1/name-counter.answers';
import { QueryV1Controller } from './query-v1/query-v1.controller';
import { QueryV1Service, SCAN_OPTIONS, type ScanOptions } from './query-v1/query-v1.service';
import { RawEventScan } from './query-v1/raw-event.scan';
import { ScanSlots } from './query-v1/scan-slots';
import { TenantClaims } from '../claims/tenant-claims';

export interface QueryConcurrencyOptions {
  /** Uncached answers one tenant may have being computed at once on one replica. */
  readonly maxPerTenant: number;
}

@Module({})
export class QueryAnalyticsModule {
  static forRoot(
    cache: QueryCacheOptions,
    concurrency: QueryConcurrencyOptions,
    scans: ScanOptions & { readonly maxConcurrentPerTenant: number; readonly maxConcurrent: number },
  ): DynamicModule {
    return {
      module: QueryAnalyticsModule,
      imports: [RollupsModule],
      controllers: [AnalyticsController, QueryV1Controller],
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
        { provide: SCAN_OPTIONS, useValue: scans },
        { provide: ScanSlots, useValue: new ScanSlots(scans.maxConcurrentPerTenant, scans.maxConcurrent) },
        TenantClaims,
        NameCounterAnswers,
        RawEventScan,
        QueryV1Service,
      ],
    };
  }
}
