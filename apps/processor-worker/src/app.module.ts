import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, KafkaReadiness } from '@tally/kafka';
import { MongoModule, MongoReadiness } from '@tally/mongo';
import { HealthModule, MetricsModule, createLoggerModule } from '@tally/observability';
import { RedisModule, RedisReadiness } from '@tally/redis';
import type { ProcessorConfig } from './config/processor-config';
import { ConsumeEventsModule } from './consume-events/consume-events.module';
import { ConsumerReadiness } from './consume-events/consumer.readiness';

@Module({})
export class ProcessorAppModule {
  static forRoot(config: ProcessorConfig): DynamicModule {
    return {
      module: ProcessorAppModule,
      imports: [
        createLoggerModule(config.identity, config.logLevel),
        MetricsModule.forRoot(config.identity.service),
        KafkaModule.forRoot(config.kafka),
        RedisModule.forRoot(config.redis, config.identity.service),
        MongoModule.forRoot(config.mongo, config.identity.service),
        ConsumeEventsModule.forRoot(config.processing),
        HealthModule.forRoot([KafkaReadiness, RedisReadiness, MongoReadiness, ConsumerReadiness]),
      ],
    };
  }
}
