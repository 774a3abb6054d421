import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { createKafkaClient } from './create-kafka-client.util';
import type { KafkaConfig } from '@tally/config';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * Answers "can this service reach the Kafka cluster right now?" for readiness probes.
 * Keeps one admin connection open and reconnects on demand, so a probe every few
 * seconds does not open a fresh TCP connection each time.
 */
@Injectable()
export class KafkaReadiness implements OnApplicationShutdown {
  readonly name = 'kafka';
  private admin: Admin | undefined;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  async check(): Promise<void> {
    this.admin ??= this.kafka.admin();
    try {
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('Kafka cluster reports no brokers');
    } catch (error) {
      const admin = this.admin;
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(config: KafkaConfig): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        {
          provide: KAFKA_CLIENT,
          // The app's pino logger, when there is one, so kafkajs's own lines name the service like every other line.
          useFactory: (logger?: PinoLogger) => {
            logger?.setContext('kafkajs');
            return createKafkaClient(config, logger);
          },
          inject: [{ token: PinoLogger, optional: true }],
        },
        KafkaReadiness,
      ],
      exports: [KAFKA_CLIENT, KafkaReadiness],
    };
  }
}
