import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Db, MongoClient } from 'mongodb';
import { createMongoClient } from './create-mongo-client.util';
import type { MongoConfig } from '@tally/config';

export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const MONGO_DB = Symbol('MONGO_DB');

@Injectable()
export class MongoReadiness {
  readonly name = 'mongodb';

  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  async check(): Promise<void> {
    await this.db.command({ ping: 1 });
  }
}

@Injectable()
class MongoLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CLIENT) private readonly client: MongoClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Global()
@Module({})
export class MongoModule {
  static forRoot(config: MongoConfig, appName: string): DynamicModule {
    return {
      module: MongoModule,
      providers: [
        { provide: MONGO_CLIENT, useFactory: () => createMongoClient(config, appName) },
        { provide: MONGO_DB, inject: [MONGO_CLIENT], useFactory: (c: MongoClient) => c.db(config.database) },
        MongoReadiness,
        MongoLifecycle,
      ],
      exports: [MONGO_CLIENT, MONGO_DB, MongoReadiness],
    };
  }
}
