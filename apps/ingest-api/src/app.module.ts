import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, KafkaReadiness } from '@tally/kafka';
import { MongoModule, MongoReadiness } from '@tally/mongo';
import { HealthModule, MetricsModule, createLoggerModule } from '@tally/observability';
import { RedisModule, RedisReadiness } from '@tally/redis';
import { TenancyModule } from '@tally/tenancy';
import type { IngestConfig } from './config/ingest-config';
import { RecordEventsModule } from './record-events/record-events.module';
import { ingestApiOpenApi } from '@tally/contracts';
import { OpenApiModule } from '@tally/service-runtime';

@Module({})
export class IngestAppModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: IngestAppModule,
      imports: [
        createLoggerModule(config.identity, config.logLevel),
        MetricsModule.forRoot(config.identity.service),
        KafkaModule.forRoot(config.kafka),
        RedisModule.forRoot(config.redis, config.identity.service),
        MongoModule.forRoot(config.mongo, config.identity.service),
        TenancyModule.forRoot(config.tenancy),
        HealthModule.forRoot([KafkaReadiness, RedisReadiness, MongoReadiness]),
        RecordEventsModule.forRoot(config.recording),
        OpenApiModule.forRoot(ingestApiOpenApi(config.identity.version)),
      ],
    };
  }
}
