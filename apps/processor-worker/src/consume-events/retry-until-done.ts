/** Raised when the worker is stopping while it waits for a store: the chunk is left uncommitted. */
export class StoppedWhileWaiting extends Error {
  constructor(step: string) {
    super(`stopped while waiting to ${step}`);
    this.name = 'StoppedWhileWaiting';
  }
}

export interface RetryControl {
  /** False once the consumer is stopping or lost the partition. */
  isRunning(): boolean;
  /** Keeps group membership while waiting; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** Told of each failed attempt, and again (error undefined) when a later attempt succeeds. */
  onRetry(error: unknown | undefined, attempt: number, delayMs: number): void;
}

export const RETRY_DELAYS = { firstMs: 100, maxMs: 5_000 } as const;

/**
 * Runs a store step until it succeeds: the partition waits (nothing else of it is
 * fetched or committed) with exponential backoff, heartbeating so the group does not
 * evict the consumer, and gives up only when the consumer stops.
 */
export async function retryUntilDone<T>(step: string, attempt: () => Promise<T>, control: RetryControl): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      const result = await attempt();
      if (failures > 0) control.onRetry(undefined, failures, 0);
      return result;
    } catch (error) {
      if (!control.isRunning()) throw new StoppedWhileWaiting(step);
      const delayMs = Math.min(RETRY_DELAYS.firstMs * 2 ** failures, RETRY_DELAYS.maxMs);
      control.onRetry(error, failures + 1, delayMs);
      for (let waited = 0; waited < delayMs; waited += 500) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, delayMs - waited)));
        if (!control.isRunning()) throw new StoppedWhileWaiting(step);
        await control.heartbeat();
      }
    }
  }
}
