import { etagOf, matchesEtag } from './query-cache';
import { isClosed } from './query.responder';

describe('ETags', () => {
  const etag = etagOf('{"a":1}');

  it('are strong, quoted and stable for the same body', () => {
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(etagOf('{"a":1}')).toBe(etag);
    expect(etagOf('{"a":2}')).not.toBe(etag);
  });

  it('match If-None-Match lists, weak tags and *', () => {
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`"x", W/${etag}`, etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag('"x"', etag)).toBe(false);
    expect(matchesEtag(undefined, etag)).toBe(false);
  });
});

describe('isClosed', () => {
  const now = Date.parse('2026-11-28T12:00:30Z');
  const minute = Math.floor(now / 60_000);

  it('calls a window closed only once it ended two minutes before the current one', () => {
    expect(isClosed({ start: minute - 100, end: minute - 2 }, now)).toBe(true);
    expect(isClosed({ start: minute - 100, end: minute - 1 }, now)).toBe(false);
    expect(isClosed({ start: minute - 100, end: minute + 1 }, now)).toBe(false);
  });
});
