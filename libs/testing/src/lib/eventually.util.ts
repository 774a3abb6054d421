/**
 * Retries an assertion until it passes or the deadline passes, then rethrows its last
 * failure. For effects that arrive asynchronously (a scrape, a consumed message); the
 * deadline is a bound against hanging, not a performance claim.
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/** Waits a while: for spacing actions in time (a kill mid-stream), never as a stand-in for readiness. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
