import { sleep } from '@tally/testing';

/** One reading of a running count: when the test had it in hand, and what it was. */
export interface CountReading {
  readonly at: number;
  readonly count: number;
}

/**
 * How long after its 200 each event became visible, from two cumulative curves: the
 * k-th acknowledgement (in time order) against the first reading that counted k events.
 * Events are counted, not identified, so this is the horizontal distance between the
 * curves (exact when events show in the order they were acknowledged), the same
 * statistic for every run compared. A reading taken by a query that began before the
 * 200 arrived may already count the event: that is freshness 0, never negative. An event
 * never seen is `Infinity`. Results are in the order of `ackedAt`.
 */
export function freshnessOf(ackedAt: readonly number[], readings: readonly CountReading[]): number[] {
  const order = ackedAt.map((_, i) => i).sort((a, b) => (ackedAt[a] as number) - (ackedAt[b] as number));
  const sorted = [...readings].sort((a, b) => a.at - b.at);
  const freshness = new Array<number>(ackedAt.length);
  let r = 0;
  order.forEach((index, k) => {
    while (r < sorted.length && (sorted[r] as CountReading).count < k + 1) r++;
    const seen = sorted[r];
    freshness[index] =
      seen === undefined ? Number.POSITIVE_INFINITY : Math.max(0, seen.at - (ackedAt[index] as number));
  });
  return freshness;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The 99th percentile by nearest rank: of fewer than 100 values, the largest. */
export function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.ceil(sorted.length * 0.99) - 1] as number;
}

/**
 * Reads a count over and over (the next read starts when the last one is answered, so
 * a slow store is not flooded) and keeps every reading, and how long each read took; a
 * failed read is skipped.
 */
export class CountPoller {
  readonly readings: CountReading[] = [];
  /** Milliseconds from asking to the answer, of every read that succeeded. */
  readonly latencies: number[] = [];
  failedReads = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly intervalMs: number,
  ) {
    this.loop = this.run();
  }

  /** Resolves once a reading reaches `count`; rejects after `timeoutMs` with the last count seen. */
  async reaches(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.readings.at(-1)?.count ?? 0) < count) {
      if (Date.now() > deadline) {
        throw new Error(`count stayed at ${this.readings.at(-1)?.count ?? 'nothing'}, expected ${count}`);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const asked = performance.now();
        const count = await this.read();
        this.latencies.push(performance.now() - asked);
        this.readings.push({ at: Date.now(), count });
      } catch {
        this.failedReads++;
      }
      await sleep(this.intervalMs);
    }
  }
}
