import { Module, type DynamicModule } from '@nestjs/common';
import { RollupsModule } from '../rollups/rollups.module';
import { AGGREGATION_OPTIONS, AggregationJob, type AggregationOptions } from './aggregation-job.service';
import { AggregationMetrics } from './aggregation.metrics';
import { RawMinuteReader } from './raw-minute.reader';
import { RollupBuilder } from './rollup.builder';

@Module({})
export class AggregatePeriodicallyModule {
  static forRoot(options: AggregationOptions): DynamicModule {
    return {
      module: AggregatePeriodicallyModule,
      imports: [RollupsModule],
      providers: [
        { provide: AGGREGATION_OPTIONS, useValue: options },
        AggregationMetrics,
        RawMinuteReader,
        RollupBuilder,
        AggregationJob,
      ],
    };
  }
}
