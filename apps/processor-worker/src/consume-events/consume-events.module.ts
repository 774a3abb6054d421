import { Module, type DynamicModule } from '@nestjs/common';
import { AnalyticsSettingsCache } from '../analytics-settings/analytics-settings.cache';
import type { ProcessingOptions } from '../config/processor-config';
import { DeadLetterPublisher } from '../dead-letter/dead-letter.publisher';
import { RawEventStore } from '../raw-events/raw-event.store';
import { DimensionValuesAdmission } from '../realtime-state/dimension-values.admission';
import { EventNamesAdmission } from '../realtime-state/event-names.admission';
import { RealtimeStateWriter } from '../realtime-state/realtime-state.writer';
import { ChunkProcessor } from './chunk-processor';
import { ConsumerReadiness } from './consumer.readiness';
import { EventsConsumer } from './events-consumer.service';
import { PROCESSING_OPTIONS } from './processing-options';
import { PartitionProgress } from './partition-progress';
import { ProcessorMetrics } from './processor.metrics';

@Module({})
export class ConsumeEventsModule {
  static forRoot(options: ProcessingOptions): DynamicModule {
    return {
      module: ConsumeEventsModule,
      // Global so the health module can consult ConsumerReadiness like the stores' own checks.
      global: true,
      providers: [
        { provide: PROCESSING_OPTIONS, useValue: options },
        ProcessorMetrics,
        PartitionProgress,
        DeadLetterPublisher,
        RawEventStore,
        RealtimeStateWriter,
        EventNamesAdmission,
        DimensionValuesAdmission,
        AnalyticsSettingsCache,
        ChunkProcessor,
        EventsConsumer,
        ConsumerReadiness,
      ],
      exports: [ConsumerReadiness],
    };
  }
}
