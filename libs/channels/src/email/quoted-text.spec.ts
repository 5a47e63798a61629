import { splitQuotedText } from './quoted-text';

describe('splitQuotedText', () => {
  it.each([
    ['English', 'On Tue, 5 Mar 2024 at 10:00, Desk <desk@library.org> wrote:'],
    ['English, wrapped by Gmail', 'On Tue, Mar 5, 2024 at 10:00 AM City Library Desk <desk@library.org>\nwrote:'],
    ['German', 'Am 05.03.2024 um 10:00 schrieb Bibliothek <desk@library.org>:'],
    ['French', 'Le mar. 5 mars 2024 à 10:00, Bibliothèque <desk@library.org> a écrit :'],
    ['Spanish', 'El mar, 5 mar 2024 a las 10:00, Biblioteca (<desk@library.org>) escribió:'],
    ['Dutch', 'Op di 5 mrt 2024 om 10:00 schreef Bibliotheek <desk@library.org>:'],
    ['Italian', 'Il giorno mar 5 mar 2024 alle ore 10:00 Biblioteca <desk@library.org> ha scritto:'],
  ])('folds history after an attribution line (%s)', (_language, attribution) => {
    const text = `Thank you, that helps.\n\nJane\n\n${attribution}\n> Your loan was renewed.\n> Kind regards`;
    const split = splitQuotedText(text);
    expect(split.newText).toBe('Thank you, that helps.\n\nJane');
    expect(split.quotedText.startsWith(attribution.split('\n')[0])).toBe(true);
    expect(split.quotedText).toContain('> Kind regards');
  });

  it('folds an Outlook "-----Original Message-----" block', () => {
    const text = 'Yes please.\r\n\r\n-----Original Message-----\r\nFrom: Desk\r\nSent: Tuesday\r\nSubject: Renewal';
    const split = splitQuotedText(text);
    expect(split.newText).toBe('Yes please.');
    expect(split.quotedText).toBe('-----Original Message-----\nFrom: Desk\nSent: Tuesday\nSubject: Renewal');
  });

  it.each([
    ['English', 'From: Library Desk <desk@library.org>\nSent: Tuesday, March 5, 2024 10:00 AM\nTo: Jane'],
    ['German', 'Von: Bibliothek <desk@library.org>\nGesendet: Dienstag, 5. März 2024 10:00\nAn: Jane'],
    ['French', 'De : Bibliothèque <desk@library.org>\nEnvoyé : mardi 5 mars 2024 10:00\nÀ : Jane'],
    ['bold plain-text export', '*From:* Library Desk\n*Sent:* Tuesday\n*To:* Jane'],
  ])('folds an Outlook "From: … Sent: …" header block (%s)', (_variant, block) => {
    const text = `I will come on Friday.\n\n________________________________\n${block}\nSubject: Renewal\n\nYour loan…`;
    const split = splitQuotedText(text);
    expect(split.newText).toBe('I will come on Friday.');
    expect(split.quotedText.startsWith('________________________________\n')).toBe(true);
    expect(split.quotedText.endsWith('Your loan…')).toBe(true);
  });

  it('folds a trailing ">" block with an attribution in an unlisted language', () => {
    const split = splitQuotedText(
      'Kiitos!\n\nti 5.3.2024 klo 10.00 Kirjasto <desk@library.org> kirjoitti:\n> Laina uusittu.',
    );
    expect(split.newText).toBe('Kiitos!');
    expect(split.quotedText).toBe('ti 5.3.2024 klo 10.00 Kirjasto <desk@library.org> kirjoitti:\n> Laina uusittu.');
  });

  it('keeps interleaved answers as new text', () => {
    const text = '> Which book?\nThe atlas.\n> Which branch?\nCentral.';
    expect(splitQuotedText(text)).toEqual({ newText: text, quotedText: '', signature: '' });
  });

  it('separates the signature from the new text', () => {
    const split = splitQuotedText('Please renew it.\n-- \nJane Doe\nReader 4711\n\n> earlier message');
    expect(split).toEqual({
      newText: 'Please renew it.',
      signature: 'Jane Doe\nReader 4711',
      quotedText: '> earlier message',
    });
  });

  it('returns the text unchanged when there is no history', () => {
    expect(splitQuotedText('Just a question.\nOn which floor is the map room?')).toEqual({
      newText: 'Just a question.\nOn which floor is the map room?',
      quotedText: '',
      signature: '',
    });
  });

  it('does not mistake a "From:" line without a date line for a header block', () => {
    const text = 'From: the list of new books, I would like:\n- Atlas\n- Dictionary';
    expect(splitQuotedText(text).quotedText).toBe('');
  });
});
