import { mentionHandles } from './mention-syntax';

describe('mention syntax', () => {
  it('finds @local-part and @whole-address mentions, once each, in lower case', () => {
    expect(
      mentionHandles('@Lena.Hoffmann can you check? cc @sam.okafor@demo.readerdesk.org, @lena.hoffmann again'),
    ).toEqual([
      { handle: 'lena.hoffmann', localPart: 'lena.hoffmann', address: null },
      {
        handle: 'sam.okafor@demo.readerdesk.org',
        localPart: 'sam.okafor',
        address: 'sam.okafor@demo.readerdesk.org',
      },
    ]);
  });

  it('leaves trailing punctuation out and accepts brackets and line starts before the @', () => {
    expect(mentionHandles('Thanks @maria. (@tom-b) @ana_c!\n@zoe: ok').map((m) => m.handle)).toEqual([
      'maria',
      'tom-b',
      'ana_c',
      'zoe',
    ]);
    expect(mentionHandles('ask @maria@library.org.').map((m) => m.handle)).toEqual(['maria@library.org']);
  });

  it('does not read an email address, a lone @ or @ in a word as a mention', () => {
    expect(mentionHandles('write to reader@example.org or ask@library.org; a @ b; me@@x')).toEqual([]);
    expect(mentionHandles('@.dot @-dash')).toEqual([]);
  });
});
