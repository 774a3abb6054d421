import { Module, type DynamicModule } from '@nestjs/common';
import { MongoModule, MongoReadiness } from '@tally/mongo';
import { HealthModule, MetricsModule, createLoggerModule } from '@tally/observability';
import { RedisModule, RedisReadiness } from '@tally/redis';
import type { AggregationConfig } from './config/aggregation-config';

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
        HealthModule.forRoot([RedisReadiness, MongoReadiness]),
      ],
    };
  }
}
