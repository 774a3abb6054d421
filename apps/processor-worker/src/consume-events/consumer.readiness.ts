import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@tally/observability';
import { EventsConsumer } from './events-consumer.service';

/** Ready once this replica is a member of the consumer group and its consumer has not crashed. */
@Injectable()
export class ConsumerReadiness implements ReadinessCheck {
  readonly name = 'kafka-consumer';

  constructor(private readonly consumer: EventsConsumer) {}

  async check(): Promise<void> {
    const { joined, crashed } = this.consumer.status();
    if (crashed !== undefined) throw new Error(`consumer crashed: ${crashed.message}`);
    if (!joined) throw new Error('not yet a member of the consumer group');
  }
}
