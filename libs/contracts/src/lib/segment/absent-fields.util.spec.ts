import { withoutAbsentFields } from './absent-fields.util';

describe('withoutAbsentFields', () => {
  it('drops optional fields sent as null, as Segment reads them, and keeps the rest as it came', () => {
    // What Segment's Python library sends for a track call with only a userId.
    const python = { type: 'track', event: 'E', userId: 'u', anonymousId: null, context: null, custom: null };
    expect(withoutAbsentFields(python)).toEqual({ type: 'track', event: 'E', userId: 'u', custom: null });
  });

  it('leaves a null required field for the schema to refuse', () => {
    expect(withoutAbsentFields({ type: 'track', event: null, userId: 'u' })).toEqual({
      type: 'track',
      event: null,
      userId: 'u',
    });
  });

  it('drops writeKey, a secret that must not travel on', () => {
    expect(withoutAbsentFields({ type: 'page', anonymousId: 'a', writeKey: 'tly_w_secret' })).toEqual({
      type: 'page',
      anonymousId: 'a',
    });
  });

  it('returns the same object when there is nothing to drop', () => {
    const event = { type: 'track', event: 'E', userId: 'u' };
    expect(withoutAbsentFields(event)).toBe(event);
    expect(withoutAbsentFields(null)).toBeNull();
  });
});
