import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { KeyPartitioner, KeyPartitioning, murmur2 } from './key-partitioner';

const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('murmur2', () => {
  it("gives the Java client's values", () => {
    // Known values of org.apache.kafka.common.utils.Utils.murmur2 (from Kafka's UtilsTest).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });
});

describe('KeyPartitioner', () => {
  it("puts every key on the partition kafkajs's DefaultPartitioner picks", () => {
    const ours = KeyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys = [
      't_abcdefghijklmnopqrst:user-1',
      't_abcdefghijklmnopqrst:',
      't_abcdefghijklmnopqrst:ユーザー',
      ...Array.from({ length: 2_000 }, (_, i) => `t_abcdefghijklmnopqrst:${randomBytes(i % 37).toString('hex')}`),
    ];
    for (const count of [1, 3, 12]) {
      for (const key of keys) {
        for (const asBytes of [false, true]) {
          const message = { key: asBytes ? Buffer.from(key) : key, value: 'x' };
          const args = { topic: 'events', partitionMetadata: partitions(count), message };
          expect(ours(args)).toBe(theirs(args));
        }
      }
    }
  });

  it('refuses a message without a key rather than guessing', () => {
    expect(() =>
      KeyPartitioner()({ topic: 'events', partitionMetadata: partitions(3), message: { value: 'x' } }),
    ).toThrow('needs a key');
  });
});

describe('KeyPartitioning', () => {
  it('places a key outside a send where its partitioner put it in the last one, once it has seen the topic', () => {
    const partitioning = new KeyPartitioning();
    const partitioner = partitioning.createPartitioner();
    expect(partitioning.partitionOf('events', 'user-1')).toBeUndefined();
    for (const count of [12, 24]) {
      const keys = Array.from({ length: 200 }, (_, i) => `t_abcdefghijklmnopqrst:user-${i}`);
      const sent = keys.map((key) =>
        partitioner({ topic: 'events', partitionMetadata: partitions(count), message: { key, value: null } }),
      );
      expect(keys.map((key) => partitioning.partitionOf('events', key))).toEqual(sent);
    }
    expect(partitioning.partitionOf('other', 'user-1')).toBeUndefined();
  });
});
