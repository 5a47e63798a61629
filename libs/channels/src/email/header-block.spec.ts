import { decodeHeaderFields, parseHeaderBlocks, parseHeaderText, scanHeaderBlock } from './header-block';
import { rebuildMessage, trimHeaderFields } from './header-trimmer';

describe('scanHeaderBlock', () => {
  it('finds fields, folded lines included, and where the body starts', () => {
    const raw = Buffer.from('Subject: a\r\n  folded\r\nFrom: x@y\r\n\r\nbody\r\n');
    const block = scanHeaderBlock(raw);
    expect(block.fields.map((f) => f.key)).toEqual(['subject', 'from']);
    expect(raw.subarray(block.bodyStart).toString()).toBe('body\r\n');
    expect(decodeHeaderFields(raw, block.fields)).toEqual([
      { key: 'subject', name: 'Subject', value: 'a  folded' },
      { key: 'from', name: 'From', value: 'x@y' },
    ]);
  });

  it('skips a byte-order mark, an mbox separator and blank lines before the first field', () => {
    const raw = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('From someone@example.com Thu Mar  5 10:00:00 2026\n\r\n\nSubject: hi\n\nbody'),
    ]);
    const block = scanHeaderBlock(raw);
    expect(decodeHeaderFields(raw, block.fields)).toEqual([{ key: 'subject', name: 'Subject', value: 'hi' }]);
    expect(raw.subarray(block.bodyStart).toString()).toBe('body');
  });

  it('marks lines that are not header fields with an empty key', () => {
    const block = scanHeaderBlock(Buffer.from('just text\nBad Name: x\nX-Ok: 1\n\n'));
    expect(block.fields.map((f) => f.key)).toEqual(['', '', 'x-ok']);
  });

  it('takes a message without a blank line as all headers', () => {
    const raw = Buffer.from('Subject: only headers\r\nFrom: a@b');
    const block = scanHeaderBlock(raw);
    expect(block.fields).toHaveLength(2);
    expect(block.bodyStart).toBe(raw.length);
  });
});

describe('trimHeaderFields', () => {
  it('keeps the essential fields first, then others in order while they fit, and drops oversized ones', () => {
    const lines = [
      ...Array.from({ length: 50 }, (_, i) => `Received: hop ${i} ${'x'.repeat(50)}\r\n`),
      `X-Junk: ${'j'.repeat(5000)}\r\n`,
      'Subject: kept\r\n',
      'Content-Type: text/plain; charset=utf-8\r\n',
    ];
    const raw = Buffer.from(`${lines.join('')}\r\nthe body`);
    const block = scanHeaderBlock(raw);
    const trimmed = trimHeaderFields(block, 1000, 2000);
    const keys = trimmed.kept.map((f) => f.key);
    expect(keys).toContain('subject');
    expect(keys).toContain('content-type');
    expect(keys).not.toContain('x-junk');
    expect(keys.indexOf('received')).toBe(0);
    const rebuilt = rebuildMessage(raw, block, trimmed.kept);
    expect(rebuilt.length).toBeLessThanOrEqual(1000 + '\r\nthe body'.length);
    expect(rebuilt.toString().endsWith('\r\n\r\nthe body')).toBe(true);
    expect(trimmed.dropped).toContain('x-junk');
    expect(trimmed.dropped.length + trimmed.kept.length).toBe(block.fields.length);
  });
});

describe('parseHeaderText and parseHeaderBlocks', () => {
  it('stops a header block at the first blank line and unfolds values', () => {
    expect(parseHeaderText('\nA: 1\n  2\nB: 3\n\nC: 4')).toEqual([
      { key: 'a', name: 'A', value: '1  2' },
      { key: 'b', name: 'B', value: '3' },
    ]);
  });

  it('splits report text into blocks and ends a block at prose', () => {
    const blocks = parseHeaderBlocks(
      'Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\nStatus: 5.1.1\nsome prose\nAction: failed',
    );
    expect(blocks.map((block) => block.map((f) => f.key))).toEqual([
      ['reporting-mta'],
      ['final-recipient', 'status'],
      ['action'],
    ]);
  });
});
