import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@tally/observability';
import { EventsConsumer } from './events-consumer.service';
import { PartitionProgress } from './partition-progress';

/**
 * Ready once this replica is a member of the consumer group, its consumer has not
 * crashed, and none of its partitions has been unable to make progress (waiting for a
 * store) for longer than the tolerance.
 */
@Injectable()
export class ConsumerReadiness implements ReadinessCheck {
  readonly name = 'kafka-consumer';

  constructor(
    private readonly consumer: EventsConsumer,
    private readonly progress: PartitionProgress,
  ) {}

  async check(): Promise<void> {
    const { joined, crashed } = this.consumer.status();
    if (crashed !== undefined) throw new Error(`consumer crashed: ${crashed.message}`);
    if (!joined) throw new Error('not yet a member of the consumer group');
    const stalled = this.progress.stalled();
    if (stalled.length > 0) {
      const nowMs = Date.now();
      const which = stalled
        .map(
          (p) =>
            `partition ${p.partition} waiting for ${p.store} for ${Math.round((nowMs - p.sinceMs) / 1000)} s (${p.step})`,
        )
        .join('; ');
      throw new Error(`cannot make progress: ${which}`);
    }
  }
}
