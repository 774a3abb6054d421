import { describeIssues } from '../describe-issues.util';
import { mergeBatchFields, segmentBatchSchema } from './segment-batch.schema';
import { EVENT_SCHEMAS, segmentEventSchema } from './segment-event.schema';
import { SEGMENT_SPEC_EXAMPLES } from './segment-spec-examples.fixture';

const problemsOf = (value: unknown) => {
  const result = segmentEventSchema.safeParse(value);
  if (result.success) throw new Error('expected the payload to be rejected');
  return describeIssues(result.error);
};

describe('Segment event contract', () => {
  it.each(Object.entries(SEGMENT_SPEC_EXAMPLES))('parses the spec example: %s', (_name, example) => {
    const parsed = segmentEventSchema.parse(example);
    expect(parsed.type).toBe(example['type']);
    // Nothing is dropped: every field of the example survives, unknown ones included.
    expect(parsed).toEqual(expect.objectContaining(example));
  });

  it('keeps unknown fields, at the top level and nested', () => {
    const parsed = segmentEventSchema.parse({
      type: 'track',
      event: 'E',
      userId: 'u',
      custom: { a: 1 },
      properties: { x: [1] },
    });
    expect(parsed).toMatchObject({ custom: { a: 1 }, properties: { x: [1] } });
  });

  it('reads null optional fields as absent, as the Python library sends them, and drops writeKey', () => {
    const parsed = segmentEventSchema.parse({
      type: 'page',
      userId: 'u',
      anonymousId: null,
      name: 'Home',
      category: null,
      context: null,
      timestamp: '2026-12-02T07:39:08.123456+00:00',
      writeKey: 'tly_w_secret',
    });
    expect(JSON.parse(JSON.stringify(parsed))).toEqual({
      type: 'page',
      userId: 'u',
      name: 'Home',
      timestamp: '2026-12-02T07:39:08.123456+00:00',
    });
  });

  it('turns numeric ids into strings', () => {
    expect(segmentEventSchema.parse({ type: 'identify', userId: 42 })).toMatchObject({ userId: '42' });
  });

  it.each([
    ['a track event without event name', { type: 'track', userId: 'u' }, 'event', 'track events need an event name'],
    [
      'an event with neither userId nor anonymousId',
      { type: 'page', name: 'Home' },
      'userId',
      'every event needs userId or anonymousId',
    ],
    ['a group event without groupId', { type: 'group', userId: 'u' }, 'groupId', 'group events need a groupId'],
    [
      'an alias event without previousId',
      { type: 'alias', userId: 'u' },
      'previousId',
      'alias events need a previousId',
    ],
    [
      'an unknown type',
      { type: 'purchase', userId: 'u' },
      'type',
      'type must be one of track, identify, page, screen, group, alias',
    ],
    [
      'a timestamp that is not ISO-8601',
      { type: 'track', event: 'E', userId: 'u', timestamp: 'yesterday' },
      'timestamp',
      'must be an ISO-8601 date-time',
    ],
    [
      'properties that are not an object',
      { type: 'track', event: 'E', userId: 'u', properties: 'x' },
      'properties',
      'must be an object',
    ],
    ['an empty userId', { type: 'track', event: 'E', userId: '' }, 'userId', 'must not be empty'],
    [
      'an unknown field nested 10,000 levels deep',
      { type: 'track', event: 'E', userId: 'u', extra: JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown },
      'extra.0.0',
      'nested more than 64 levels deep',
    ],
    [
      'a property JSON.parse made Infinity',
      { type: 'track', event: 'E', userId: 'u', properties: JSON.parse('{"big":1e400}') as unknown },
      'properties.big',
      'number out of range',
    ],
  ])('rejects %s, naming the field and the rule', (_name, payload, field, rule) => {
    const problems = problemsOf(payload);
    expect(problems).toContainEqual({ field, rule: expect.stringContaining(rule) });
  });

  it('has one schema per event type for the per-type endpoints', () => {
    expect(EVENT_SCHEMAS.track.safeParse(SEGMENT_SPEC_EXAMPLES['identify']).success).toBe(false);
    expect(EVENT_SCHEMAS.identify.safeParse(SEGMENT_SPEC_EXAMPLES['identify']).success).toBe(true);
  });
});

describe('Segment batch contract', () => {
  it('merges batch-level context and integrations into each event, the event winning key by key', () => {
    const batch = segmentBatchSchema.parse({
      batch: [{ type: 'track', event: 'E', userId: 'u', context: { locale: 'fr-FR' } }],
      context: { locale: 'en-US', ip: '1.2.3.4' },
      integrations: { All: false },
      sentAt: '2026-01-01T00:00:00.000Z',
    });
    const merged = segmentEventSchema.parse(mergeBatchFields(batch.batch[0], batch));
    expect(merged).toMatchObject({
      context: { locale: 'fr-FR', ip: '1.2.3.4' },
      integrations: { All: false },
      sentAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('reads a batch as analytics.js and the Python library send it: writeKey beside it, null sentAt', () => {
    const parsed = segmentBatchSchema.parse({ batch: [{}], writeKey: 'tly_w_secret', sentAt: null, context: null });
    expect(JSON.parse(JSON.stringify(parsed))).toEqual({ batch: [{}] });
  });

  it('names the problem with a batch that is not a list', () => {
    const result = segmentBatchSchema.safeParse({ batch: {} });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)[0]?.field).toBe('batch');
  });
});
