import {
  DECLARATION_MARGIN_MS,
  MAX_DECLARATION_HISTORY,
  declarationsAfter,
  fieldsCountingAt,
  type DeclaredField,
} from './analytics-settings.document';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const at = (ms: number) => new Date(ms);
const plan: DeclaredField = { field: 'properties.plan', countedSince: at(NOW - 3_600_000) };

describe('declarationsAfter', () => {
  it('counts a new field from a minute after now', () => {
    expect(declarationsAfter([], ['properties.plan'], NOW)).toEqual([
      { field: 'properties.plan', countedSince: at(NOW + DECLARATION_MARGIN_MS) },
    ]);
  });

  it('changes nothing for the same list again', () => {
    expect(declarationsAfter([plan], ['properties.plan'], NOW)).toBeUndefined();
    expect(declarationsAfter([], [], NOW)).toBeUndefined();
  });

  it('ends a removed field a minute after now and keeps its entry', () => {
    expect(declarationsAfter([plan], [], NOW)).toEqual([{ ...plan, countedUntil: at(NOW + DECLARATION_MARGIN_MS) }]);
  });

  it('starts a new entry for a field declared again, beside the ended one', () => {
    const ended = { ...plan, countedUntil: at(NOW - 60_000) };
    expect(declarationsAfter([ended], ['properties.plan'], NOW)).toEqual([
      ended,
      { field: 'properties.plan', countedSince: at(NOW + DECLARATION_MARGIN_MS) },
    ]);
  });

  it('drops the oldest ended entries beyond the history bound, never an open one', () => {
    const ended = Array.from({ length: MAX_DECLARATION_HISTORY }, (_, i) => ({
      field: `properties.f${i}`,
      countedSince: at(NOW - 10_000_000 + i),
      countedUntil: at(NOW - 5_000_000 + i),
    }));
    const next = declarationsAfter([...ended, plan], ['properties.plan', 'properties.new'], NOW) ?? [];
    expect(next).toHaveLength(MAX_DECLARATION_HISTORY);
    expect(next.map((d) => d.field)).toEqual(
      expect.arrayContaining(['properties.plan', 'properties.new', `properties.f${MAX_DECLARATION_HISTORY - 1}`]),
    );
    expect(next.map((d) => d.field)).not.toContain('properties.f0');
  });
});

describe('fieldsCountingAt', () => {
  it('lists the fields not ended by then', () => {
    const ended = { field: 'properties.old', countedSince: at(0), countedUntil: at(NOW) };
    expect(fieldsCountingAt([plan, ended], NOW - 1)).toEqual(['properties.plan', 'properties.old']);
    expect(fieldsCountingAt([plan, ended], NOW)).toEqual(['properties.plan']);
  });
});
