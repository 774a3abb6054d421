import { PartitionProgress } from './partition-progress';

describe('PartitionProgress', () => {
  it('reports a partition stalled once it has waited for a store longer than the tolerance', () => {
    const progress = new PartitionProgress();
    progress.waitingFor(3, 'redis', 'apply real-time effects', 1_000);
    progress.waitingFor(3, 'redis', 'apply real-time effects', 20_000); // still the first wait
    progress.waitingFor(1, 'mongodb', 'store raw events', 10_000);
    expect(progress.stalled(30_999, 30_000)).toEqual([]);
    expect(progress.stalled(31_000, 30_000)).toEqual([
      { partition: 3, store: 'redis', step: 'apply real-time effects', sinceMs: 1_000 },
    ]);
    expect(progress.stalled(40_000, 30_000).map((p) => p.partition)).toEqual([3, 1]);
  });

  it('forgets a partition once its store step succeeds', () => {
    const progress = new PartitionProgress();
    progress.waitingFor(0, 'kafka', 'dead-letter poison messages', 0);
    progress.resumed(0);
    expect(progress.stalled(60_000, 30_000)).toEqual([]);
  });
});
