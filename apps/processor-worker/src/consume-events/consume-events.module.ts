import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessingOptions } from '../config/processor-config';
import { DeadLetterPublisher } from '../dead-letter/dead-letter.publisher';
import { RawEventStore } from '../raw-events/raw-event.store';
import { RealtimeStateWriter } from '../realtime-state/realtime-state.writer';
import { ChunkProcessor } from './chunk-processor';
import { ConsumerReadiness } from './consumer.readiness';
import { EventsConsumer, PROCESSING_OPTIONS } from './events-consumer.service';
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
        DeadLetterPublisher,
        RawEventStore,
        RealtimeStateWriter,
        ChunkProcessor,
        EventsConsumer,
        ConsumerReadiness,
      ],
      exports: [ConsumerReadiness],
    };
  }
}
