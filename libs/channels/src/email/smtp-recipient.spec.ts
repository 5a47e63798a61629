import { recipientCandidates } from './smtp-recipient';

describe('recipientCandidates', () => {
  it('tries the address as given, then without its plus tag, lower-cased', () => {
    expect(recipientCandidates('Ask+1234@Lib.Example.org')).toEqual([
      'ask+1234@lib.example.org',
      'ask@lib.example.org',
    ]);
    expect(recipientCandidates(' ask@lib.example.org ')).toEqual(['ask@lib.example.org']);
  });

  it('keeps a leading plus, which is no tag', () => {
    expect(recipientCandidates('+ask@lib.example.org')).toEqual(['+ask@lib.example.org']);
  });

  it('tries an internationalised domain in both spellings', () => {
    expect(recipientCandidates('fragen+7@Bücherei.example')).toEqual([
      'fragen+7@bücherei.example',
      'fragen+7@xn--bcherei-n2a.example',
      'fragen@bücherei.example',
      'fragen@xn--bcherei-n2a.example',
    ]);
    expect(recipientCandidates('fragen@xn--bcherei-n2a.example')).toEqual([
      'fragen@xn--bcherei-n2a.example',
      'fragen@bücherei.example',
    ]);
  });

  it('gives nothing for what is not an address', () => {
    expect(recipientCandidates('postmaster')).toEqual([]);
    expect(recipientCandidates('@lib.example.org')).toEqual([]);
    expect(recipientCandidates('ask@')).toEqual([]);
  });
});
