import { OTHER_EVENT_NAME } from '@tally/analytics-store';
import { foldRareNames } from './fold-rare-names.util';

const sum = (counts: ReadonlyMap<string, number>): number => [...counts.values()].reduce((s, n) => s + n, 0);

describe('foldRareNames', () => {
  it('keeps counts within the bound as they are', () => {
    const counts = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    expect(foldRareNames(counts, 2)).toBe(counts);
  });

  it('keeps the most counted names and folds the rest into (other), total unchanged', () => {
    const counts = new Map([
      ['rare', 1],
      ['top', 9],
      ['tie-b', 4],
      ['tie-a', 4],
      ['next', 2],
    ]);
    const folded = foldRareNames(counts, 4);
    expect([...folded]).toEqual([
      ['top', 9],
      ['tie-a', 4],
      ['tie-b', 4],
      [OTHER_EVENT_NAME, 3],
    ]);
    expect(sum(folded)).toBe(sum(counts));
  });

  it('adds what children already folded into (other), and never keeps (other) as a name beside it', () => {
    const counts = new Map([
      [OTHER_EVENT_NAME, 100],
      ['a', 5],
      ['b', 3],
      ['c', 1],
    ]);
    const folded = foldRareNames(counts, 3);
    expect([...folded]).toEqual([
      ['a', 5],
      ['b', 3],
      [OTHER_EVENT_NAME, 101],
    ]);
  });

  it('bounds any number of names', () => {
    const counts = new Map(Array.from({ length: 50_000 }, (_, i) => [`name ${i}`, 1 + (i % 7)] as const));
    const folded = foldRareNames(counts);
    expect(folded.size).toBe(1_000);
    expect(sum(folded)).toBe(sum(counts));
  });
});
