import { MAX_JSON_DEPTH, nestsDeeperThan } from './problem-details.filter';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('the JSON depth check before parsing', () => {
  it('lets a body exactly as deep as the limit through, and refuses one level more', () => {
    expect(nestsDeeperThan(bytes(arrays(MAX_JSON_DEPTH)))).toBe(false);
    expect(nestsDeeperThan(bytes(arrays(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1)))).toBe(
      true,
    );
  });

  it('counts depth, not brackets: many siblings are fine', () => {
    expect(nestsDeeperThan(bytes(`[${'[],'.repeat(10_000)}[]]`))).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({
      text: '['.repeat(500),
      quote: '\\"[[[[' + '{'.repeat(100),
      unicode: 'Frösche ✓ [[[',
    });
    expect(nestsDeeperThan(bytes(text))).toBe(false);
    expect(nestsDeeperThan(text)).toBe(false);
  });

  it('reads decoded UTF-16 text the same way', () => {
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan(`{"name":"山田 [["}`)).toBe(false);
  });
});
