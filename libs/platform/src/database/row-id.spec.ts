import { newRowId } from './row-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds a version 7 id carries in its first 48 bits. */
const millisecondsOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newRowId', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is a version 7 UUID (RFC 9562 layout and variant) carrying the creation time', () => {
    const before = Date.now();
    const id = newRowId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
  });

  it('only ever increases within a process, many ids in one millisecond included', () => {
    // Later than any id made so far, so that the ids start at this millisecond.
    const now = Date.UTC(2036, 10, 30, 12);
    jest.spyOn(Date, 'now').mockReturnValue(now);
    const ids = Array.from({ length: 10_000 }, () => newRowId());
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // The time they carry never goes back either (a full counter borrows the next millisecond).
    expect(millisecondsOf(ids[0])).toBe(now);
    expect(millisecondsOf(ids[ids.length - 1])).toBeGreaterThanOrEqual(now);
  });

  it('keeps increasing when the clock steps back', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 30, 13));
    const first = newRowId();
    now.mockReturnValue(Date.UTC(2026, 10, 30, 12, 59));
    const second = newRowId();
    expect(second > first).toBe(true);
  });

  it('keeps its random part random: ids of the same millisecond share only time and counter', () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 30, 14));
    const tails = new Set(Array.from({ length: 1000 }, () => newRowId().slice(19)));
    expect(tails.size).toBe(1000);
  });
});
