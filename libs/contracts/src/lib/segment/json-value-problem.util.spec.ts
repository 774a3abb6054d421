import { jsonValueProblem } from './json-value-problem.util';

const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('jsonValueProblem', () => {
  it('accepts ordinary JSON, nested up to the limit', () => {
    expect(jsonValueProblem({ a: [1, 'x', null, true, { b: 2.5 }], c: {} }, 64)).toBeUndefined();
    expect(jsonValueProblem({ x: JSON.parse(nestedArrays(63)) }, 64)).toBeUndefined();
  });

  it('names the field under which the nesting goes too deep, even 10,000 levels down', () => {
    expect(jsonValueProblem({ x: JSON.parse(nestedArrays(64)) }, 64)).toEqual({
      path: ['x', 0, 0],
      message: 'nested more than 64 levels deep',
    });
    const deep = JSON.parse(`{"properties":{"a":${nestedArrays(10_000)}}}`) as unknown;
    expect(jsonValueProblem(deep, 64)?.path).toEqual(['properties', 'a', 0]);
  });

  it('refuses numbers JSON.parse turned into Infinity, which would be stored as null', () => {
    expect(jsonValueProblem(JSON.parse('{"properties":{"big":1e400}}'), 64)).toEqual({
      path: ['properties', 'big'],
      message: 'number out of range (beyond ±1.8e308)',
    });
    expect(jsonValueProblem(JSON.parse(`[${'9'.repeat(400)}]`), 64)?.path).toEqual([0]);
    // Large but finite numbers are numbers like any other (rounded to a double by JSON.parse).
    expect(jsonValueProblem(JSON.parse('{"n":18446744073709551616,"m":-1e308}'), 64)).toBeUndefined();
  });

  it('treats __proto__ and constructor as plain keys of the value', () => {
    expect(jsonValueProblem(JSON.parse('{"__proto__":{"x":1e999},"constructor":1}'), 64)?.path).toEqual([
      '__proto__',
      'x',
    ]);
  });

  it('refuses strings and keys that are not well-formed Unicode, whichever field holds them', () => {
    expect(jsonValueProblem(JSON.parse('{"event":"x\\ud800"}'), 64)).toEqual({
      path: ['event'],
      message: 'not valid Unicode text (a lone UTF-16 surrogate)',
    });
    expect(jsonValueProblem(JSON.parse('{"properties":{"a":["ok","\\udc00y"]}}'), 64)?.path).toEqual([
      'properties',
      'a',
      1,
    ]);
    expect(jsonValueProblem(JSON.parse('{"traits":{"\\ud83d":1}}'), 64)).toEqual({
      path: ['traits', '\ud83d'],
      message: 'key not valid Unicode text (a lone UTF-16 surrogate)',
    });
    // A surrogate pair is one character like any other.
    expect(jsonValueProblem(JSON.parse('{"event":"\\ud83d\\ude00 smile"}'), 64)).toBeUndefined();
  });

  it('refuses strings and keys holding U+0000, which PostgreSQL (under FerretDB) cannot store', () => {
    expect(jsonValueProblem(JSON.parse('{"userId":"a\\u0000b"}'), 64)).toEqual({
      path: ['userId'],
      message: 'holds U+0000 (a NUL character), which the event store cannot keep',
    });
    expect(jsonValueProblem(JSON.parse('{"properties":{"\\u0000":1}}'), 64)?.message).toBe(
      'key holds U+0000 (a NUL character), which the event store cannot keep',
    );
    // Other control characters are text like any other.
    expect(jsonValueProblem(JSON.parse('{"event":"a\\u0001\\t b"}'), 64)).toBeUndefined();
  });
});
