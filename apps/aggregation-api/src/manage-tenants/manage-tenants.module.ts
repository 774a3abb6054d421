import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Db } from 'mongodb';
import { AnalyticsSettingsAdmin } from '@tally/analytics-store';
import { MONGO_DB } from '@tally/mongo';
import { REDIS_CLIENT } from '@tally/redis';
import { TenantsAdminController } from './tenants-admin.controller';

@Module({
  controllers: [TenantsAdminController],
  providers: [
    {
      provide: AnalyticsSettingsAdmin,
      inject: [MONGO_DB, REDIS_CLIENT],
      useFactory: (db: Db, redis: Redis) => AnalyticsSettingsAdmin.on(db, redis),
    },
  ],
})
export class ManageTenantsModule {}
