import PostalMime from 'postal-mime';
import { encodeDisplayName, formatMailbox, sanitiseHeaderValue, UnsafeAddressError } from './header-safety';

const LINE_BREAKERS = /[\r\n\0\u0085\u2028\u2029]/;

describe('sanitiseHeaderValue', () => {
  it.each([
    ['Re: renewal\r\nBcc: victim@example.com', 'Re: renewal Bcc: victim@example.com'],
    ['Re: renewal\nContent-Type: text/html', 'Re: renewal Content-Type: text/html'],
    ['a\0b', 'a b'],
    ['a\u0085b\u2028c\u2029d', 'a b c d'],
    ['  tabs\tand\vform\ffeeds  ', 'tabs and form feeds'],
    ['broken \uD800 surrogate', 'broken \uFFFD surrogate'],
  ])('turns %j into a single safe line', (value, expected) => {
    const clean = sanitiseHeaderValue(value);
    expect(clean).toBe(expected);
    expect(clean).not.toMatch(LINE_BREAKERS);
  });

  it('cuts to a length without splitting a character', () => {
    expect(sanitiseHeaderValue('Grüße 🙂🙂', 7)).toBe('Grüße 🙂');
  });
});

describe('formatMailbox', () => {
  it('quotes ASCII names and escapes quotes and backslashes', () => {
    expect(formatMailbox({ name: 'Doe, "JD" \\ Jane', address: 'jane@example.org' })).toBe(
      '"Doe, \\"JD\\" \\\\ Jane" <jane@example.org>',
    );
  });

  it('encodes other names as RFC 2047 words that decode back to the name', () => {
    const name = 'Jürgen Müller-Lüdenscheidt 图书馆 读者服务台 — Fernleihe und Auskunft';
    const formatted = formatMailbox({ name, address: 'j@example.de' });
    expect(formatted).toMatch(/^(=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= ?)+ <j@example\.de>$/);
    for (const word of formatted.split(' ').slice(0, -1)) expect(word.length).toBeLessThanOrEqual(75);
    const [parsed] = PostalMime.addressParser(formatted);
    expect(parsed.name).toBe(name);
  });

  it('drops line breaks from a hostile name', () => {
    const formatted = formatMailbox({ name: 'Eve\r\nBcc: all@example.com', address: 'eve@example.com' });
    expect(formatted).toBe('"Eve Bcc: all@example.com" <eve@example.com>');
    expect(formatted).not.toMatch(LINE_BREAKERS);
  });

  it('writes the bare address when there is no name', () => {
    expect(formatMailbox({ name: ' \r\n ', address: 'desk@library.org' })).toBe('desk@library.org');
    expect(encodeDisplayName('')).toBe('');
  });

  it.each([
    'desk@library.org\r\nBcc: x@example.com',
    'desk@library.org>, <x@example.com',
    'a b@example.com',
    'no-at-sign',
    'desk@library.org\u2028',
    '"quoted"@example.com',
  ])('refuses the address %j', (address) => {
    expect(() => formatMailbox({ name: 'x', address })).toThrow(UnsafeAddressError);
  });
});
