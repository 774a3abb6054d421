import { ingestApiOpenApi } from '../openapi/ingest-api.openapi';
import { jsonObjectSchema } from './json-object.schema';

describe('jsonObjectSchema', () => {
  it('passes an object on as it came', () => {
    const context = { library: { name: 'analytics-node' }, locale: 'en-GB' };
    expect(jsonObjectSchema.parse(context)).toBe(context);
  });

  it.each([
    ['an array', [1]],
    ['null', null],
    ['a string', 'x'],
    ['a number', 1],
  ])('refuses %s', (_label, value) => {
    expect(jsonObjectSchema.safeParse(value).error?.issues[0]?.message).toBe('must be an object');
  });

  it('is an object in the OpenAPI documents', () => {
    const document = ingestApiOpenApi('test') as {
      components: { schemas: { TrackEvent: { properties: Record<string, unknown> } } };
    };
    const track = document.components.schemas.TrackEvent.properties;
    for (const field of ['properties', 'context', 'integrations']) {
      expect(track[field]).toEqual({ type: 'object', additionalProperties: {} });
    }
  });
});
