import {
  findPlusAddressNumber,
  findReferenceToken,
  normaliseMessageId,
  parseMessageIdList,
  syntheticMessageId,
} from './thread-references';

describe('normaliseMessageId', () => {
  it.each([
    ['<abc@example.org>', '<abc@example.org>'],
    ['  <abc@example.org> (comment)', '<abc@example.org>'],
    ['abc@example.org', '<abc@example.org>'],
    ['20140913142357', '<20140913142357>'],
    ['<a b@example.org> <ok@example.org>', '<ok@example.org>'],
  ])('reads %j as %j', (value, expected) => {
    expect(normaliseMessageId(value)).toBe(expected);
  });

  it.each([[''], ['   '], [null], [undefined], ['<>'], [`<${'x'.repeat(1000)}@example.org>`]])(
    'finds no id in %j',
    (value) => {
      expect(normaliseMessageId(value)).toBeNull();
    },
  );
});

describe('parseMessageIdList', () => {
  it('keeps the order of References and drops duplicates', () => {
    expect(parseMessageIdList('<a@x> <b@x>\t<a@x>  <c@x>')).toEqual(['<a@x>', '<b@x>', '<c@x>']);
  });

  it('accepts bare ids separated by commas', () => {
    expect(parseMessageIdList('a@x, b@x')).toEqual(['<a@x>', '<b@x>']);
  });

  it('cuts a huge list to the thread root and the latest ids', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `<id${i}@x>`);
    const kept = parseMessageIdList(ids.join(' '));
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe('<id0@x>');
    expect(kept[99]).toBe('<id499@x>');
    expect(kept[1]).toBe('<id401@x>');
  });
});

describe('syntheticMessageId', () => {
  it('is the same for the same bytes and differs for other bytes', () => {
    const raw = Buffer.from('Subject: hi\r\n\r\nbody');
    expect(syntheticMessageId(raw)).toBe(syntheticMessageId(Buffer.from(raw)));
    expect(syntheticMessageId(raw)).toMatch(/^<[0-9a-f]{64}@readerdesk\.invalid>$/);
    expect(syntheticMessageId(Buffer.from('Subject: hi\r\n\r\nbody!'))).not.toBe(syntheticMessageId(raw));
    // The same message as another server stored or relayed it: other line endings, trace headers added.
    const original = Buffer.from('From: a@b.org\nSubject: hi\n\nbody\nline two\n');
    const relayed = Buffer.from(
      'Return-Path: <a@b.org>\r\nReceived: from mx by desk;\r\n\tSun, 22 Nov 2026\r\nFrom: a@b.org\r\nSubject: hi\r\n\r\nbody\r\nline two\r\n\r\n',
    );
    expect(syntheticMessageId(relayed)).toBe(syntheticMessageId(original));
    expect(syntheticMessageId(Buffer.from('From: a@b.org\nSubject: hi\n\nbody\nline 2\n'))).not.toBe(
      syntheticMessageId(original),
    );
  });
});

describe('findReferenceToken', () => {
  it.each([
    ['Re: Renewal question [#1234]', '#', 1234],
    ['AW: [ # 77 ] Fernleihe', '#', 77],
    ['Re: [#12] Fwd: [#34]', '#', 12],
    ['RE: [rd-981] overdue', 'RD-', 981],
    ['Question (#55)', '#', null],
    ['[#0] zero is no conversation', '#', null],
    ['[#1234] with another prefix configured', 'RD-', null],
    ['[RD.5] dots are literal, not wildcards', 'RD-', null],
  ])('finds in %j with prefix %j: %j', (subject, prefix, expected) => {
    expect(findReferenceToken(subject, prefix)).toBe(expected);
  });

  it('treats regex characters in the prefix literally', () => {
    expect(findReferenceToken('[a.b7]', 'a.b')).toBe(7);
    expect(findReferenceToken('[axb7]', 'a.b')).toBeNull();
  });
});

describe('findPlusAddressNumber', () => {
  it('reads the number from a plus-addressed recipient', () => {
    expect(findPlusAddressNumber(['reader@example.com', 'desk+1234@library.org'])).toBe(1234);
  });

  it('ignores tags that are not numbers', () => {
    expect(findPlusAddressNumber(['desk+urgent@library.org', 'desk@library.org'])).toBeNull();
  });

  it('only counts the desk addresses when they are given', () => {
    const desks = ['Desk@Library.org'];
    expect(findPlusAddressNumber(['friend+42@example.com'], desks)).toBeNull();
    expect(findPlusAddressNumber(['friend+42@example.com', 'desk+7@LIBRARY.ORG'], desks)).toBe(7);
  });
});
