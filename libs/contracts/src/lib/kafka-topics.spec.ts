import { ALL_TOPICS, TOPICS, deadLetterTopicOf } from './kafka-topics';

describe('kafka topic registry', () => {
  it('derives the dead-letter topic from its main topic', () => {
    expect(TOPICS.eventsDeadLetter.name).toBe(`${TOPICS.events.name}.dlq`);
    expect(deadLetterTopicOf(TOPICS.events)).toEqual(TOPICS.eventsDeadLetter);
  });

  it('names every topic once and only with characters Kafka accepts', () => {
    const names = ALL_TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });
});
