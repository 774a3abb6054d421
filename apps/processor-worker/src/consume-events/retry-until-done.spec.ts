import { StoppedWhileWaiting, retryUntilDone, type RetryControl } from './retry-until-done';

function control(overrides: Partial<RetryControl> = {}) {
  const seen: (string | undefined)[] = [];
  let heartbeats = 0;
  const c: RetryControl = {
    isRunning: () => true,
    heartbeat: async () => {
      heartbeats++;
    },
    onRetry: (error) => seen.push(error === undefined ? undefined : String(error)),
    ...overrides,
  };
  return { c, seen, heartbeats: () => heartbeats };
}

describe('retryUntilDone', () => {
  it('retries a failing step with backoff until it succeeds, and says so when it does', async () => {
    let calls = 0;
    const { c, seen, heartbeats } = control();
    const result = await retryUntilDone(
      'write',
      async () => {
        if (++calls < 4) throw new Error(`down ${calls}`);
        return 'done';
      },
      c,
    );
    expect(result).toBe('done');
    expect(seen).toEqual(['Error: down 1', 'Error: down 2', 'Error: down 3', undefined]);
    expect(heartbeats()).toBeGreaterThanOrEqual(3);
  });

  it('gives up only when the consumer stops, without finishing the step', async () => {
    let running = true;
    const { c } = control({ isRunning: () => running });
    const attempt = retryUntilDone(
      'write',
      async () => {
        running = false;
        throw new Error('down');
      },
      c,
    );
    await expect(attempt).rejects.toBeInstanceOf(StoppedWhileWaiting);
  });

  it('lets a rebalance (heartbeat refused) end the wait', async () => {
    const { c } = control({
      heartbeat: async () => {
        throw new Error('The group is rebalancing');
      },
    });
    await expect(retryUntilDone('write', () => Promise.reject(new Error('down')), c)).rejects.toThrow('rebalancing');
  });
});
