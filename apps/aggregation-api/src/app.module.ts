import { Module, type DynamicModule } from '@nestjs/common';
import { MongoModule, MongoReadiness } from '@tally/mongo';
import { HealthModule, MetricsModule, createLoggerModule } from '@tally/observability';
import { RedisModule, RedisReadiness } from '@tally/redis';
import { TenancyModule } from '@tally/tenancy';
import type { AggregationConfig } from './config/aggregation-config';
import { aggregationApiOpenApi } from '@tally/contracts';
import { OpenApiModule } from '@tally/service-runtime';
import { AggregatePeriodicallyModule } from './aggregate-periodically/aggregate-periodically.module';
import { ManageTenantsModule } from './manage-tenants/manage-tenants.module';
import { QueryAnalyticsModule } from './query-analytics/query-analytics.module';
import { StreamLiveActivityModule } from './stream-live-activity/stream-live-activity.module';

@Module({})
export class AggregationAppModule {
  static forRoot(config: AggregationConfig): DynamicModule {
    return {
      module: AggregationAppModule,
      imports: [
        createLoggerModule(config.identity, config.logLevel),
        MetricsModule.forRoot(config.identity.service),
        RedisModule.forRoot(config.redis, config.identity.service),
        MongoModule.forRoot(config.mongo, config.identity.service),
        TenancyModule.forRoot(config.tenancy),
        HealthModule.forRoot([RedisReadiness, MongoReadiness]),
        ManageTenantsModule,
        QueryAnalyticsModule.forRoot(config.queryCache, config.queryConcurrency, config.scans),
        StreamLiveActivityModule.forRoot(config.live),
        AggregatePeriodicallyModule.forRoot(config.aggregation),
        OpenApiModule.forRoot(aggregationApiOpenApi(config.identity.version)),
      ],
    };
  }
}
