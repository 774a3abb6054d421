import { Module, type DynamicModule } from '@nestjs/common';
import { QueryQuotaGuard } from '../query-analytics/query-quota.guard';
import { LIVE_OPTIONS, LiveActivityHub, type LiveOptions } from './live-activity.hub';
import { LiveActivityController } from './live-activity.controller';
import { LiveStreamRegistry } from './live-stream.registry';
import { TenantClaims } from '../claims/tenant-claims';

@Module({})
export class StreamLiveActivityModule {
  static forRoot(options: LiveOptions): DynamicModule {
    return {
      module: StreamLiveActivityModule,
      controllers: [LiveActivityController],
      providers: [
        { provide: LIVE_OPTIONS, useValue: options },
        LiveActivityHub,
        LiveStreamRegistry,
        TenantClaims,
        QueryQuotaGuard,
      ],
    };
  }
}
