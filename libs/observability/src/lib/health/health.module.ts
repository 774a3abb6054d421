import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, READINESS_CHECKS } from './health.controller';
import type { ReadinessCheck } from './readiness-check';

@Module({})
export class HealthModule {
  /** `checks` are providers (exported by the Kafka/Redis/Mongo modules) that `/health/ready` consults. */
  static forRoot(checks: readonly Type<ReadinessCheck>[]): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: READINESS_CHECKS, inject: [...checks], useFactory: (...found: ReadinessCheck[]) => found },
      ],
    };
  }
}
