import { Injectable } from '@nestjs/common';
import type { Store } from './processor.metrics';

/** A partition that has waited for a store since `sinceMs`. */
export interface StalledPartition {
  readonly partition: number;
  readonly store: Store;
  readonly step: string;
  readonly sinceMs: number;
}

/** How long a partition may wait for a store before the replica reports itself not ready. */
export const STALL_TOLERANCE_MS = 30_000;

/**
 * Which partitions cannot make progress right now, and since when: set while a store
 * step of theirs is being retried, cleared when it succeeds or the partition is let go.
 * A poison message never shows here — it is dead-lettered and the partition moves on —
 * so a stalled partition always means a store that is down, which readiness reports.
 */
@Injectable()
export class PartitionProgress {
  private readonly waiting = new Map<number, StalledPartition>();

  waitingFor(partition: number, store: Store, step: string, nowMs = Date.now()): void {
    if (!this.waiting.has(partition)) this.waiting.set(partition, { partition, store, step, sinceMs: nowMs });
  }

  resumed(partition: number): void {
    this.waiting.delete(partition);
  }

  /** Partitions waiting longer than the tolerance, longest first. */
  stalled(nowMs = Date.now(), toleranceMs = STALL_TOLERANCE_MS): StalledPartition[] {
    return [...this.waiting.values()]
      .filter((p) => nowMs - p.sinceMs >= toleranceMs)
      .sort((a, b) => a.sinceMs - b.sinceMs);
  }
}
