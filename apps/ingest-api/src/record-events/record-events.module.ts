import { Module, type DynamicModule } from '@nestjs/common';
import { LibraryMetricsController } from '../accept-library-metrics/library-metrics.controller';
import { RECORD_EVENTS_OPTIONS, RecordEventsService, type RecordEventsOptions } from './record-events.service';
import { SegmentTrackingController } from './segment-tracking.controller';

@Module({})
export class RecordEventsModule {
  static forRoot(options: RecordEventsOptions): DynamicModule {
    return {
      module: RecordEventsModule,
      controllers: [SegmentTrackingController, LibraryMetricsController],
      providers: [{ provide: RECORD_EVENTS_OPTIONS, useValue: options }, RecordEventsService],
    };
  }
}
