import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import type { Db } from 'mongodb';
import type { TenancyConfig } from '@tally/config';
import { MONGO_DB } from '@tally/mongo';
import { REDIS_CLIENT } from '@tally/redis';
import { TenantAdminService } from './admin/tenant-admin.service';
import { TenantContextMiddleware } from './context/tenant-context.middleware';
import { TenantDirectory } from './directory/tenant-directory';
import { TenantStore } from './directory/tenant-store';
import { AdminTokenGuard, TENANCY_CONFIG } from './guards/admin-token.guard';
import { ReadKeyGuard, WriteKeyGuard } from './guards/key-guards';
import { RateLimiter } from './quotas/rate-limiter';

@Injectable()
class TenancyLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly store: TenantStore,
    private readonly directory: TenantDirectory,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.directory.listenForChanges(this.redis);
    // Index creation needs the store; if it is down at boot, readiness reports it and the
    // lookups still work (the _id index always exists).
    await this.store.ensureIndexes().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.directory.close();
  }
}

/**
 * Keys, tenants, guards and quotas for an app. Needs the global MongoModule and
 * RedisModule. Opens a tenant-context slot for every request.
 */
@Global()
@Module({})
export class TenancyModule implements NestModule {
  static forRoot(config: TenancyConfig): DynamicModule {
    return {
      module: TenancyModule,
      providers: [
        { provide: TENANCY_CONFIG, useValue: config },
        { provide: TenantStore, inject: [MONGO_DB], useFactory: (db: Db) => new TenantStore(db) },
        {
          provide: TenantDirectory,
          inject: [TenantStore],
          useFactory: (store: TenantStore) => new TenantDirectory(store, config),
        },
        {
          provide: TenantAdminService,
          inject: [TenantStore, REDIS_CLIENT],
          useFactory: (store: TenantStore, redis: Redis) => new TenantAdminService(store, redis),
        },
        { provide: RateLimiter, inject: [REDIS_CLIENT], useFactory: (redis: Redis) => new RateLimiter(redis) },
        WriteKeyGuard,
        ReadKeyGuard,
        AdminTokenGuard,
        TenancyLifecycle,
      ],
      exports: [
        TENANCY_CONFIG,
        TenantStore,
        TenantDirectory,
        TenantAdminService,
        RateLimiter,
        WriteKeyGuard,
        ReadKeyGuard,
        AdminTokenGuard,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenantContextMiddleware).forRoutes('*');
  }
}
