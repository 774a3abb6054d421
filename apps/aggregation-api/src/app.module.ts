import { Module, type DynamicModule } from '@nestjs/common';
import { MongoModule, MongoReadiness } from '@tally/mongo';
import { HealthModule, MetricsModule, createLoggerModule } from '@tally/observability';
import { RedisModule, RedisReadiness } from '@tally/redis';
import { TenancyModule } from '@tally/tenancy';
import type { AggregationConfig } from './config/aggregation-config';
import { ManageTenantsModule } from './manage-tenants/manage-tenants.module';

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
      ],
    };
  }
}
