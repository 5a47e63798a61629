import { firstName, renderCannedReply, unknownPlaceholders } from './canned-reply-template';

const facts = {
  reader: { displayName: 'Maria Gonzalez' },
  agent: { displayName: 'Lena Hoffmann' },
  conversation: { number: 1234 },
  library: { name: 'Riverside Public Library' },
};

describe('canned reply placeholders', () => {
  it('fills every placeholder of the allow-list, spaces inside the braces and any case allowed', () => {
    const rendered = renderCannedReply(
      'Dear {{reader.first_name}} ({{ reader.name }}), {{Agent.First_Name}} / {{agent.name}} of {{library.name}} ' +
        'answers {{conversation.reference}}.',
      facts,
    );
    expect(rendered).toEqual({
      text: 'Dear Maria (Maria Gonzalez), Lena / Lena Hoffmann of Riverside Public Library answers #1234.',
      unknown: [],
      missing: [],
    });
  });

  it('leaves unknown tags and placeholders without a value as written, and lists them once', () => {
    const rendered = renderCannedReply('Hi {{reader.first_name}}, {{reader.firstname}} {{ x }} {{reader.firstname}}', {
      ...facts,
      reader: { displayName: null },
    });
    expect(rendered).toEqual({
      text: 'Hi {{reader.first_name}}, {{reader.firstname}} {{ x }} {{reader.firstname}}',
      unknown: ['reader.firstname', 'x'],
      missing: ['reader.first_name'],
    });
  });

  it('inserts values as plain text, once: a value that looks like a tag or markup is not read again', () => {
    const rendered = renderCannedReply('Hello {{reader.name}} $& $1', {
      ...facts,
      reader: { displayName: '{{agent.name}} <b>x</b>\n\tEvil' },
    });
    expect(rendered.text).toBe('Hello {{agent.name}} <b>x</b> Evil $& $1');
    expect(rendered.unknown).toEqual([]);
  });

  it('takes the first word of a name, whatever the spacing', () => {
    expect(firstName('  Wang   Fang ')).toBe('Wang');
    expect(firstName('')).toBeNull();
    expect(firstName(null)).toBeNull();
  });

  it('finds unknown tags in a saved text; text without tags and stray braces have none', () => {
    expect(unknownPlaceholders('{{reader.name}} {{ agent.nick }} {single} {{}} {{a\nb}}')).toEqual(['agent.nick']);
    expect(unknownPlaceholders('Nothing here')).toEqual([]);
  });
});
