import { eventually, testEnvironment } from '@tally/testing';
import { readDeadLetters } from './support/dead-letter-reader';
import { makeDataset } from './support/event-dataset';
import { ProcessedState } from './support/processed-state';
import { WorkerGroup, produceToEventsTopic } from './support/worker-group';

/**
 * processor-worker against the real stack: whatever the stream holds (duplicates, late
 * events, poison), MongoDB and Redis end with exactly the known answers.
 */
describe('processor-worker', () => {
  const env = testEnvironment();
  const stores = new ProcessedState(env);

  afterAll(() => stores.close());

  it('counts 20,000 events exactly once, by name and by dimension — duplicates, late events and poison included', async () => {
    const dataset = makeDataset({ tenants: 4, events: 20_000, duplicateShare: 0.05, lateShare: 0.1, poison: 25 });
    await stores.declare(dataset);
    const group = await WorkerGroup.atTopicEnd(env);
    const dlq = await readDeadLetters(env, dataset.poison[0]?.key.replace(/-0$/, '') ?? 'poison');
    try {
      await group.start(3911);
      await produceToEventsTopic(env, dataset.messages);
      await stores.expectExactCounts(dataset);

      for (const [tenant, expected] of dataset.expected) {
        const estimate = await stores.uniqueUsers(tenant, expected);
        expect(Math.abs(estimate - expected.users.size) / expected.users.size).toBeLessThan(0.02);
      }

      await eventually(() => expect(new Set(dlq.seen.map((d) => d.key)).size).toBe(dataset.poison.length), 30_000);
      const reasons = new Map(dlq.seen.map((d) => [d.key, d.reason]));
      for (const poison of dataset.poison) expect({ key: poison.key, reason: reasons.get(poison.key) }).toEqual(poison);
      expect(dlq.seen.every((d) => /^tally\.events\.v1\/\d+\/\d+$/.test(d.source))).toBe(true);

      const metrics = await (await fetch('http://127.0.0.1:3911/metrics')).text();
      expect(metrics).toMatch(/processor_events_total\{outcome="duplicate"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/processor_dead_lettered_total\{reason="not_json"[^}]*\} [1-9]/);
    } finally {
      await dlq.stop();
      await group.stopAll();
    }
  }, 300_000);

  it('on SIGTERM finishes its chunk, commits and leaves: a restart redoes nothing', async () => {
    const dataset = makeDataset({ tenants: 2, events: 6_000, duplicateShare: 0, lateShare: 0, poison: 0 });
    const group = await WorkerGroup.atTopicEnd(env);
    try {
      await group.start(3911);
      await produceToEventsTopic(env, dataset.messages, { sliceSize: 500, pauseMs: 100 });
      await group.stop(3911);
      const second = await group.start(3911);
      await stores.expectExactCounts(dataset);
      await eventually(async () => {
        const metrics = await (await fetch('http://127.0.0.1:3911/metrics')).text();
        // The second replica saw nothing the first had finished: no redelivered message.
        expect(metrics).not.toMatch(/processor_events_total\{outcome="redelivered"[^}]*\} [1-9]/);
      });
      expect(second.output()).not.toContain('"level":50');
    } finally {
      await group.stopAll();
    }
  }, 300_000);
});
