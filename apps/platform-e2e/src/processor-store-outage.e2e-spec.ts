import { eventually, sleep, testEnvironment } from '@tally/testing';
import { makeDataset } from './support/event-dataset';
import { ProcessedState } from './support/processed-state';
import { isOwnedByStack, stack } from './support/stack-control';
import { WorkerGroup, produceToEventsTopic } from './support/worker-group';

const PORT = 3931;

/**
 * Redis, then MongoDB, go away for 10 s each while events flow: the worker pauses,
 * retries with backoff, resumes by itself, and the final counts are exact.
 */
describe('processor-worker when a store goes away', () => {
  const env = testEnvironment();
  // Stopping stores that REDIS_URL / MONGO_URL point elsewhere is not ours to do: then the test is skipped, visibly.
  const whenStoresAreOurs = isOwnedByStack('redis') && isOwnedByStack('mongodb') ? it : it.skip;
  let stores: ProcessedState | undefined;

  afterAll(async () => {
    await stack('up', 'redis', 'mongodb').catch(() => undefined);
    await stores?.close();
  });

  const metric = async (pattern: RegExp): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  };
  const retriesOf = (store: string) =>
    metric(new RegExp(`^processor_store_retries_total\\{[^}]*store="${store}"[^}]*\\} (\\d+)`, 'm'));

  whenStoresAreOurs(
    'pauses while Redis and then MongoDB are down, resumes by itself, and counts exactly',
    async () => {
      const dataset = makeDataset({ tenants: 2, events: 20_000, duplicateShare: 0.05, lateShare: 0.05, poison: 5 });
      const declaring = new ProcessedState(env);
      await declaring.declare(dataset);
      await declaring.close();
      const group = await WorkerGroup.atTopicEnd(env);
      try {
        await group.start(PORT);
        // Half the stream around the Redis outage, the other half sent once MongoDB is down,
        // so the worker has work during each outage however fast it caught up before.
        const half = Math.floor(dataset.messages.length / 2);
        const firstHalf = produceToEventsTopic(env, dataset.messages.slice(0, half), { sliceSize: 500, pauseMs: 200 });

        await sleep(2_000);
        await stack('down', 'redis');
        await eventually(async () => expect(await retriesOf('redis')).toBeGreaterThan(0), 30_000);
        expect((await fetch(`http://127.0.0.1:${PORT}/health/ready`)).status).toBe(503);
        await sleep(10_000);
        await stack('up', 'redis');

        await firstHalf;
        await stack('down', 'mongodb');
        const secondHalf = produceToEventsTopic(env, dataset.messages.slice(half), { sliceSize: 500, pauseMs: 200 });
        await eventually(async () => expect(await retriesOf('mongodb')).toBeGreaterThan(0), 30_000);
        await sleep(10_000);
        await stack('up', 'mongodb');

        await secondHalf;
        stores = new ProcessedState(env);
        await stores.expectExactCounts(dataset, 240_000);
        // Nothing is left waiting for a store, and the same process did it all.
        expect(await metric(/^processor_waiting_for_store\{[^}]*store="redis"[^}]*\} (\d+)/m)).toBe(0);
        expect(await metric(/^processor_waiting_for_store\{[^}]*store="mongodb"[^}]*\} (\d+)/m)).toBe(0);
        expect(group.output(PORT)).toContain('store unavailable: partition paused');
        expect(group.output(PORT)).toContain('store back: partition resumed');
      } finally {
        await group.stopAll();
      }
    },
    600_000,
  );
});
