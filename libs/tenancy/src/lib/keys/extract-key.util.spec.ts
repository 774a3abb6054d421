import { extractApiKey, extractBearer } from './extract-key.util';

const basic = (user: string, password = '') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('extractApiKey: the write-key forms Segment SDKs and plain clients use', () => {
  it.each([
    ['Basic with an empty password', { authorization: basic('tly_w_abc') }, undefined],
    [
      'Basic without the trailing colon',
      { authorization: `Basic ${Buffer.from('tly_w_abc').toString('base64')}` },
      undefined,
    ],
    ['Bearer', { authorization: 'Bearer tly_w_abc' }, undefined],
    ['X-Write-Key', { 'x-write-key': 'tly_w_abc' }, undefined],
    ['writeKey in the body', {}, { writeKey: 'tly_w_abc', batch: [] }],
  ])('finds the key given as %s', (_form, headers, body) => {
    expect(extractApiKey(headers, body)).toBe('tly_w_abc');
  });

  it("finds the key in a batch's events, where analytics.js puts it", () => {
    expect(extractApiKey({}, { batch: [{ type: 'track', writeKey: 'tly_w_batch' }], sentAt: 'x' })).toBe('tly_w_batch');
    expect(extractApiKey({}, { batch: [] })).toBeUndefined();
  });

  it('prefers the Authorization header over the body', () => {
    expect(extractApiKey({ authorization: 'Bearer from-header' }, { writeKey: 'from-body' })).toBe('from-header');
  });

  it('finds nothing when no form is present', () => {
    expect(extractApiKey({}, [{ writeKey: 'in-an-array-is-not-a-batch' }])).toBeUndefined();
    expect(extractApiKey({ authorization: 'Basic ' }, undefined)).toBeUndefined();
  });
});

describe('extractBearer', () => {
  it('accepts only the Bearer form', () => {
    expect(extractBearer({ authorization: 'Bearer tly_r_x' })).toBe('tly_r_x');
    expect(extractBearer({ authorization: basic('tly_r_x') })).toBeUndefined();
    expect(extractBearer({ 'x-write-key': 'tly_r_x' } as never)).toBeUndefined();
  });
});
