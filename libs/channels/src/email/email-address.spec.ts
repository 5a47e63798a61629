import { normaliseAddress, parseAddressList, parseReturnPath } from './email-address';

describe('parseAddressList', () => {
  it('decodes names, lower-cases domains only and flattens groups', () => {
    expect(
      parseAddressList(
        '"Doe, Jane" <Jane.Doe@EXAMPLE.Org>, Team: =?utf-8?q?J=C3=BCrgen?= <j@X.de>;, undisclosed-recipients:;',
      ),
    ).toEqual([
      { name: 'Doe, Jane', address: 'Jane.Doe@example.org' },
      { name: 'Jürgen', address: 'j@x.de' },
    ]);
  });

  it('replaces line breaks and controls in names with spaces', () => {
    const [mailbox] = parseAddressList('=?utf-8?q?Eve=0D=0ABcc=3A_x=E2=80=A8y?= <eve@example.com>');
    expect(mailbox.name).toBe('Eve Bcc: x y');
  });

  it('returns nothing for an empty header', () => {
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(null)).toEqual([]);
  });
});

describe('parseReturnPath', () => {
  it('tells the null sender from a missing header', () => {
    expect(parseReturnPath('<>')).toBe('');
    expect(parseReturnPath(null)).toBeNull();
    expect(parseReturnPath('<Bounce@Mail.Example.COM>')).toBe('Bounce@mail.example.com');
  });
});

describe('normaliseAddress', () => {
  it('keeps the case of the local part', () => {
    expect(normaliseAddress(' Reader.Name@Example.ORG ')).toBe('Reader.Name@example.org');
  });
});
