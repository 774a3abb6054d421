/**
 * The one registry of Kafka topics. Producers, consumers and the local stack's
 * topic provisioning all read names from here, so a topic is never typed twice;
 * a dead-letter topic is always derived from its main topic.
 */
export interface TopicSpec {
  /** Full topic name. */
  readonly name: string;
  /** What flows through it, for people reading `stack status`. */
  readonly description: string;
}

const EVENTS: TopicSpec = {
  name: 'tally.events.v1',
  description: 'Validated event envelopes from ingest-api, keyed by tenant + user.',
};

export const deadLetterTopicOf = (topic: TopicSpec): TopicSpec => ({
  name: `${topic.name}.dlq`,
  description: `Messages from ${topic.name} that could not be processed, with the reason in headers.`,
});

export const TOPICS = {
  events: EVENTS,
  eventsDeadLetter: deadLetterTopicOf(EVENTS),
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);

/** processor-worker's consumer group unless `PROCESSOR_GROUP_ID` names another. */
export const DEFAULT_PROCESSOR_GROUP_ID = 'tally-processor';
