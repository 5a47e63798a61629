import { normaliseHandle } from './handle-normaliser';

describe('normaliseHandle', () => {
  it('reads national phone numbers with the library country and keeps E.164', () => {
    expect(normaliseHandle('phone', '(212) 555-0142', 'US')).toEqual({
      kind: 'phone',
      value: '+12125550142',
      raw: '(212) 555-0142',
      valid: true,
    });
    expect(normaliseHandle('phone', '030 901820', 'DE').value).toBe('+4930901820');
    expect(normaliseHandle('phone', '+98 21 6111 2345', 'US').value).toBe('+982161112345');
    expect(normaliseHandle('phone', '00 44 20 7946 0958', 'DE').value).toBe('+442079460958');
  });

  it('keeps an unparsable number raw and flags it', () => {
    expect(normaliseHandle('phone', ' 12-AB ', 'US')).toEqual({
      kind: 'phone',
      value: '12-AB',
      raw: '12-AB',
      valid: false,
    });
    expect(normaliseHandle('phone', 'anonymous', 'US').valid).toBe(false);
  });

  it('lower-cases email addresses and takes the address out of a display form', () => {
    expect(normaliseHandle('email', ' Maria.Gonzalez@Example.ORG ', 'US').value).toBe('maria.gonzalez@example.org');
    expect(normaliseHandle('email', 'Maria <MARIA@example.org>', 'US').value).toBe('maria@example.org');
    expect(normaliseHandle('email', 'mailto:a@b.org', 'US').value).toBe('a@b.org');
    expect(normaliseHandle('email', 'not an address', 'US').valid).toBe(false);
  });

  it('strips spaces and dashes from card numbers', () => {
    expect(normaliseHandle('card', ' 2100-0000 0001 ', 'US').value).toBe('210000000001');
    expect(normaliseHandle('card', 'p123x', 'US').value).toBe('P123X');
  });
});
