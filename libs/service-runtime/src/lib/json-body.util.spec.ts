import { BodyError, parseJsonBody } from './json-body.util';

const refusal = (body: Buffer) => {
  try {
    parseJsonBody(body);
  } catch (error) {
    return error instanceof BodyError ? { status: error.statusCode, message: error.message } : error;
  }
  return 'accepted';
};

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON, non-ASCII included', () => {
    expect(parseJsonBody(Buffer.from('{"name":"Zürich ✓","n":[1,2]}'))).toEqual({ name: 'Zürich ✓', n: [1, 2] });
  });

  it.each([
    ['a byte that is never UTF-8', [0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
  ])('refuses %s inside a string with 400', (_label, bytes) => {
    const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('b"}')]);
    expect(refusal(body)).toEqual({ status: 400, message: 'malformed JSON: the body is not valid UTF-8' });
  });

  it('refuses prototype keys and broken JSON with 400', () => {
    expect(refusal(Buffer.from('{"__proto__":{"x":1}}'))).toEqual({
      status: 400,
      message: 'malformed JSON: Object contains forbidden prototype property',
    });
    expect(refusal(Buffer.from('{"constructor":{"prototype":{"x":1}}}'))).toMatchObject({ status: 400 });
    expect(refusal(Buffer.from('{"a":'))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^malformed JSON: /),
    });
  });
});
