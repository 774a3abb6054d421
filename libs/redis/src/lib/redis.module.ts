import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedisClient } from './create-redis-client.util';
import type { RedisConfig } from '@tally/config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
export class RedisReadiness {
  readonly name = 'redis';

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async check(): Promise<void> {
    const reply = await this.redis.ping();
    if (reply !== 'PONG') throw new Error(`Redis answered PING with ${reply}`);
  }
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(config: RedisConfig, connectionName: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_CLIENT, useFactory: () => createRedisClient(config, connectionName) },
        RedisReadiness,
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT, RedisReadiness],
    };
  }
}
