import { DEFAULT_PROCESSOR_GROUP_ID, TOPICS } from '@tally/contracts';
import { createKafkaClient } from '@tally/kafka';

/**
 * Events on the events topic that processor-worker's consumer group has not yet
 * committed past: what a new event waits behind. A group with no offsets yet starts from
 * the beginning (the worker subscribes so), so then the whole topic counts. Events the
 * tests wrote (`npm test` shares the local Kafka) are such a backlog for `npm start`'s
 * worker the first time it runs.
 */
export async function workerBacklog(brokers: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const groupId = env['PROCESSOR_GROUP_ID'] || DEFAULT_PROCESSOR_GROUP_ID;
  const admin = createKafkaClient({ brokers: [...brokers], clientId: 'tally-start' }).admin();
  await admin.connect();
  try {
    const topic = TOPICS.events.name;
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committedOf = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, p) => {
      const at = committedOf.get(p.partition) ?? -1;
      return sum + Number(p.high) - (at >= 0 ? at : Number(p.low));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}
