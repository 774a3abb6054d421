import { Global, Module, type DynamicModule } from '@nestjs/common';
import { METRICS_REGISTRY, MetricsController } from './metrics.controller';
import { createMetricsRegistry } from './metrics.registry';

@Global()
@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) }],
      exports: [METRICS_REGISTRY],
    };
  }
}
