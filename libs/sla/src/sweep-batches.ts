/** A sweep page cut into batches of one library's conversations, at most `size` each, in page order. */
export function batchesOf(
  page: ReadonlyArray<{ id: string; libraryId: string }>,
  size: number,
): Array<{ libraryId: string; ids: string[] }> {
  const open = new Map<string, { libraryId: string; ids: string[] }>();
  const batches: Array<{ libraryId: string; ids: string[] }> = [];
  for (const row of page) {
    let batch = open.get(row.libraryId);
    if (!batch || batch.ids.length >= size) {
      batch = { libraryId: row.libraryId, ids: [] };
      open.set(row.libraryId, batch);
      batches.push(batch);
    }
    batch.ids.push(row.id);
  }
  return batches;
}
