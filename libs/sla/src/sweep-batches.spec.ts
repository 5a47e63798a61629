import { batchesOf } from './sweep-batches';

describe('batchesOf (a sweep page cut into batches of one library)', () => {
  const row = (id: string, libraryId: string) => ({ id, libraryId });

  it('keeps every row once, each with its own library, in page order, at most `size` a batch', () => {
    const page = [row('1', 'a'), row('2', 'b'), row('3', 'a'), row('4', 'a'), row('5', 'b'), row('6', 'a')];
    const batches = batchesOf(page, 2);
    expect(batches).toEqual([
      { libraryId: 'a', ids: ['1', '3'] },
      { libraryId: 'b', ids: ['2', '5'] },
      { libraryId: 'a', ids: ['4', '6'] },
    ]);
    const seen = batches.flatMap((b) => b.ids.map((id) => `${b.libraryId}:${id}`)).sort();
    expect(seen).toEqual(page.map((r) => `${r.libraryId}:${r.id}`).sort());
  });

  it('gives nothing for an empty page and one batch for a page of one library within the size', () => {
    expect(batchesOf([], 50)).toEqual([]);
    expect(batchesOf([row('1', 'a'), row('2', 'a')], 50)).toEqual([{ libraryId: 'a', ids: ['1', '2'] }]);
  });
});
