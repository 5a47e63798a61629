import { decodeUtf8Leniently, isWellFormedUtf8 } from './lenient-decoder';

describe('decodeUtf8Leniently', () => {
  it('decodes well-formed UTF-8 unchanged', () => {
    const text = 'Grüße, 你好, עברית, 🙂';
    expect(decodeUtf8Leniently(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('reads bytes that are not UTF-8 as Windows-1252 instead of U+FFFD', () => {
    const latin1 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x20, 0x93, 0x6f, 0x6b, 0x94]);
    expect(decodeUtf8Leniently(latin1)).toBe('Café € “ok”');
  });

  it('keeps valid UTF-8 runs next to stray Latin-1 bytes', () => {
    const mixed = Buffer.concat([Buffer.from('Grüße ', 'utf8'), Buffer.from([0xfc]), Buffer.from(' 你好', 'utf8')]);
    const decoded = decodeUtf8Leniently(mixed);
    expect(decoded).toBe('Grüße ü 你好');
    expect(decoded).not.toContain('\uFFFD');
  });

  it('treats truncated, overlong and surrogate sequences as single bytes', () => {
    // E4 BD (truncated 你), C0 AF (overlong "/"), ED A0 80 (a UTF-16 surrogate in UTF-8)
    const broken = Buffer.from([0xe4, 0xbd, 0x41, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
    const decoded = decodeUtf8Leniently(broken);
    expect(decoded).toBe('ä½AÀ¯í\u00a0€');
    expect(isWellFormedUtf8(broken)).toBe(false);
  });
});
