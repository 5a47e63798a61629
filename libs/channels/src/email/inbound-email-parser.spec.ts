import { EmailParseError } from './email-parse-error';
import { parseInboundEmail } from './inbound-email-parser';

const CRLF = '\r\n';
const NOW = new Date('2026-03-05T12:00:00Z');

function mail(headers: string[], body: string | Buffer = 'Hello'): Buffer {
  return Buffer.concat([
    Buffer.from(headers.join(CRLF) + CRLF + CRLF, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
}

const BASE = [
  'From: "Reader, Jane" <Jane.Reader@EXAMPLE.com>',
  'To: Library Desk <desk@library.org>',
  'Date: Thu, 05 Mar 2026 10:15:00 +0100',
  'Message-ID: <m1@example.com>',
  'Subject: Renewal',
];

async function expectParseError(raw: Buffer, code: string, options = {}): Promise<void> {
  const error: unknown = await parseInboundEmail(raw, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmailParseError);
  expect((error as EmailParseError).code).toBe(code);
}

describe('parseInboundEmail: addresses and threading', () => {
  it('reads addresses, dates and threading headers', async () => {
    const parsed = await parseInboundEmail(
      mail([
        ...BASE.filter((h) => !h.startsWith('Subject')),
        'Cc: =?utf-8?q?J=C3=BCrgen?= <J@Example.DE>, other@example.net',
        'Reply-To: <replies@Example.com>',
        'Return-Path: <bounce@Example.com>',
        'In-Reply-To: <reply-1@library.org> (sent by the desk)',
        'References: <root@library.org>\r\n <reply-1@library.org>',
        'Subject: =?utf-8?q?Verl=C3=A4ngerung?= [#4711]',
      ]),
      { now: NOW },
    );
    expect(parsed.from).toEqual({ name: 'Reader, Jane', address: 'Jane.Reader@example.com' });
    expect(parsed.to).toEqual([{ name: 'Library Desk', address: 'desk@library.org' }]);
    expect(parsed.cc).toEqual([
      { name: 'Jürgen', address: 'J@example.de' },
      { name: '', address: 'other@example.net' },
    ]);
    expect(parsed.replyTo).toEqual([{ name: '', address: 'replies@example.com' }]);
    expect(parsed.returnPath).toBe('bounce@example.com');
    expect(parsed.date.toISOString()).toBe('2026-03-05T09:15:00.000Z');
    expect(parsed.dateFromHeader).toBe(true);
    expect(parsed.subject).toBe('Verlängerung [#4711]');
    expect(parsed.referenceToken).toBe(4711);
    expect(parsed.messageId).toBe('<m1@example.com>');
    expect(parsed.messageIdSynthetic).toBe(false);
    expect(parsed.inReplyTo).toBe('<reply-1@library.org>');
    expect(parsed.references).toEqual(['<root@library.org>', '<reply-1@library.org>']);
    expect(parsed.category).toBe('personal');
    expect(parsed.warnings).toEqual([]);
  });

  it('gives a message without Message-ID the same synthetic id each time', async () => {
    const raw = mail(BASE.filter((h) => !h.startsWith('Message-ID')));
    const first = await parseInboundEmail(raw, { now: NOW });
    const again = await parseInboundEmail(Buffer.from(raw), { now: NOW });
    const other = await parseInboundEmail(
      mail(
        BASE.filter((h) => !h.startsWith('Message-ID')),
        'Hello!',
      ),
    );
    expect(first.messageId).toMatch(/^<[0-9a-f]{64}@readerdesk\.invalid>$/);
    expect(first.messageIdSynthetic).toBe(true);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(first.warnings.map((w) => w.code)).toContain('message_id_missing');
  });

  it.each([
    ['missing', null],
    ['unreadable', 'Date: sometime last week'],
    ['in the future', 'Date: Thu, 01 Jan 2099 00:00:00 +0000'],
  ])('falls back to now when the Date is %s', async (_case, dateHeader) => {
    const headers = BASE.filter((h) => !h.startsWith('Date'));
    const parsed = await parseInboundEmail(mail(dateHeader ? [...headers, dateHeader] : headers), { now: NOW });
    expect(parsed.date).toEqual(NOW);
    expect(parsed.dateFromHeader).toBe(false);
    expect(parsed.warnings.map((w) => w.code)).toContain('date_invalid');
  });

  it('reads the conversation number from a plus-addressed recipient', async () => {
    const raw = mail([...BASE, 'Cc: friend+99@example.com', 'Delivered-To: Desk+1234@Library.org']);
    expect((await parseInboundEmail(raw)).plusAddressNumber).toBe(99);
    const desk = await parseInboundEmail(raw, { deskAddresses: ['desk@library.org'] });
    expect(desk.plusAddressNumber).toBe(1234);
    expect(desk.deliveredTo).toEqual(['Desk+1234@library.org']);
  });

  it('uses the configured reference prefix', async () => {
    const raw = mail([...BASE.filter((h) => !h.startsWith('Subject')), 'Subject: Re: [#5] [RD-77] loan']);
    expect((await parseInboundEmail(raw, { referencePrefix: 'RD-' })).referenceToken).toBe(77);
    expect((await parseInboundEmail(raw)).referenceToken).toBe(5);
  });

  it('skips a leading mbox "From " line', async () => {
    const raw = Buffer.concat([Buffer.from('From jane@example.com  Thu Mar  5 10:15:00 2026\n'), mail(BASE)]);
    const parsed = await parseInboundEmail(raw);
    expect(parsed.from?.address).toBe('Jane.Reader@example.com');
    expect(parsed.text).toBe('Hello');
  });

  it('keeps line breaks injected through encoded words out of subject and names', async () => {
    const parsed = await parseInboundEmail(
      mail([
        'From: =?utf-8?q?Eve=0D=0ABcc=3A_all=40example=2Ecom?= <eve@example.com>',
        'Subject: =?utf-8?q?Hi=0D=0ABcc=3A_all=40example=2Ecom=E2=80=A8x?=',
        'Message-ID: <e@example.com>',
      ]),
    );
    expect(parsed.subject).toBe('Hi Bcc: all@example.com x');
    expect(parsed.from).toEqual({ name: 'Eve Bcc: all@example.com', address: 'eve@example.com' });
  });
});

describe('parseInboundEmail: charsets', () => {
  const single = (charset: string, body: Buffer, encoding = '8bit'): Buffer =>
    mail(
      [
        ...BASE,
        'MIME-Version: 1.0',
        `Content-Type: text/plain; charset="${charset}"`,
        `Content-Transfer-Encoding: ${encoding}`,
      ],
      body,
    );

  it.each([
    ['gb2312', Buffer.from('xOO6w6OszbzK6bnd'), 'base64', '你好，图书馆'],
    ['GBK', Buffer.from('tsHV3w=='), 'base64', '读者'],
    ['big5', Buffer.from('adc9aed1c3d2', 'hex'), '8bit', '借書證'],
    ['iso-2022-jp', Buffer.from('\x1b$B?^=q4[\x1b(B', 'latin1'), '7bit', '図書館'],
    ['windows-1251', Buffer.from('cff0e8e2e5f2', 'hex'), '8bit', 'Привет'],
    ['windows-1252', Buffer.from('43616fe920809394', 'hex'), '8bit', 'Caoé €“”'],
    ['x-unknown-charset', Buffer.from('43616fe9', 'hex'), '8bit', 'Caoé'],
  ])('decodes %s', async (charset, body, encoding, expected) => {
    const parsed = await parseInboundEmail(single(charset, body, encoding));
    expect(parsed.text).toBe(expected);
  });

  it('decodes encoded-word subjects in other charsets', async () => {
    const raw = mail([
      ...BASE.filter((h) => !h.startsWith('Subject')),
      'Subject: =?gb2312?B?xOO6ww==?= =?big5?B?rcmu0cPS?=',
    ]);
    expect((await parseInboundEmail(raw)).subject).toBe('你好借書證');
  });

  it('reads Latin-1 text mislabelled as UTF-8 instead of losing it', async () => {
    const parsed = await parseInboundEmail(single('utf-8', Buffer.from('Caf\xe9 f\xfcr alle', 'latin1')));
    expect(parsed.text).toBe('Café für alle');
    expect(parsed.warnings.map((w) => w.code)).toContain('charset_repaired');
  });

  it('reads unlabelled 8-bit text and raw 8-bit headers without U+FFFD', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: Andr\xe9 <andre@example.fr>\r\nSubject: Pr\xeat\r\nMessage-ID: <a@x>\r\n\r\n', 'latin1'),
      Buffer.from('D\xe9j\xe0 vu', 'latin1'),
    ]);
    const parsed = await parseInboundEmail(raw);
    expect(parsed.subject).toBe('Prêt');
    expect(parsed.from?.name).toBe('André');
    expect(parsed.text).toBe('Déjà vu');
  });

  it('keeps well-formed UTF-8 that contains a real U+FFFD untouched', async () => {
    const parsed = await parseInboundEmail(single('utf-8', Buffer.from('a \uFFFD b', 'utf8')));
    expect(parsed.text).toBe('a \uFFFD b');
    expect(parsed.warnings.map((w) => w.code)).not.toContain('charset_repaired');
  });
});

describe('parseInboundEmail: content', () => {
  it('derives plain text from an HTML-only mail and keeps the HTML raw', async () => {
    const html =
      '<html><body><p>Dear desk,</p><p>is the <b>atlas</b> in?<br>Jane</p><script>x()</script></body></html>';
    const parsed = await parseInboundEmail(mail([...BASE, 'Content-Type: text/html; charset=utf-8'], html));
    // postal-mime ends a part with the line break before its boundary; the markup itself is untouched.
    expect(parsed.html?.trimEnd()).toBe(html);
    expect(parsed.textSource).toBe('html');
    expect(parsed.text).toBe('Dear desk,\n\nis the atlas in?\nJane');
  });

  it('splits the new text from quoted history and keeps the full text', async () => {
    const body =
      'Thanks!\r\n-- \r\nJane\r\n\r\nAm 04.03.2026 um 09:00 schrieb Bibliothek <desk@library.org>:\r\n> Ihr Buch ist da.';
    const parsed = await parseInboundEmail(mail(BASE, body));
    expect(parsed.text).toBe(body.replace(/\r\n/g, '\n'));
    expect(parsed.newText).toBe('Thanks!');
    expect(parsed.signature).toBe('Jane');
    expect(parsed.quotedText).toBe('Am 04.03.2026 um 09:00 schrieb Bibliothek <desk@library.org>:\n> Ihr Buch ist da.');
  });

  it('recovers the body of a multipart whose boundary never appears', async () => {
    const parsed = await parseInboundEmail(
      mail([...BASE, 'Content-Type: multipart/mixed; boundary="never-used"'], 'Please call me back.\r\n'),
    );
    expect(parsed.text).toBe('Please call me back.');
    expect(parsed.textSource).toBe('raw');
    expect(parsed.warnings.map((w) => w.code)).toContain('body_recovered');
  });
});

describe('parseInboundEmail: attachments', () => {
  const multipart = (parts: string[]): Buffer =>
    mail(
      [...BASE, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      parts.map((p) => `--b1${CRLF}${p}${CRLF}`).join('') + `--b1--${CRLF}`,
    );
  const file = (name: string, bytes: Buffer, extra: string[] = []): string =>
    [
      `Content-Type: application/pdf; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      ...extra,
      '',
      bytes.toString('base64'),
    ].join(CRLF);

  it('returns files and inline images with their metadata and bytes', async () => {
    const pdf = Buffer.from('%PDF-1.4 renewal form');
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const related = [
      'Content-Type: multipart/related; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Map: <img src="cid:map@desk"></p>',
      '--b2',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <map@desk>',
      '',
      png.toString('base64'),
      '--b2--',
    ].join(CRLF);
    const parsed = await parseInboundEmail(multipart([related, file('form.pdf', pdf)]));
    expect(parsed.attachments).toEqual([
      { filename: null, contentType: 'image/png', size: png.length, contentId: 'map@desk', inline: true, content: png },
      {
        filename: 'form.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        contentId: null,
        inline: false,
        content: pdf,
      },
    ]);
    expect(parsed.droppedAttachments).toEqual([]);
  });

  it('drops the bytes of an attachment over the limit and says so', async () => {
    const big = Buffer.alloc(3000, 1);
    const small = Buffer.alloc(100, 2);
    const text = ['Content-Type: text/plain', '', 'See attached.'].join(CRLF);
    const raw = multipart([text, file('scan.pdf', big), file('note.pdf', small)]);
    const parsed = await parseInboundEmail(raw, { maxAttachmentBytes: 2048 });
    expect(parsed.text).toBe('See attached.');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['note.pdf']);
    expect(parsed.droppedAttachments).toEqual([
      {
        filename: 'scan.pdf',
        contentType: 'application/pdf',
        size: 3000,
        contentId: null,
        inline: false,
        reason: 'too_large',
      },
    ]);
    const note = parsed.warnings.find((w) => w.code === 'attachment_dropped');
    expect(note?.message).toContain('scan.pdf');
  });

  it('drops attachments beyond the count limit', async () => {
    const parts = Array.from({ length: 4 }, (_, i) => file(`f${i}.pdf`, Buffer.from(`file ${i}`)));
    const parsed = await parseInboundEmail(multipart(parts), { maxAttachments: 2 });
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['f0.pdf', 'f1.pdf']);
    expect(parsed.droppedAttachments.map((a) => [a.filename, a.reason])).toEqual([
      ['f2.pdf', 'too_many'],
      ['f3.pdf', 'too_many'],
    ]);
  });

  it('reads a bounce with its returned message and report', async () => {
    const raw = mail(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
        'To: desk@library.org',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.example.com>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      ],
      [
        '--r',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '',
        'Final-Recipient: rfc822; reader@example.com',
        'Action: failed',
        'Status: 5.1.1',
        '--r',
        'Content-Type: message/rfc822',
        '',
        'From: desk@library.org',
        'Message-ID: <reply-42@library.org>',
        'Subject: Re: Renewal [#42]',
        '',
        'Your loan was renewed.',
        '--r--',
        '',
      ].join(CRLF),
    );
    const parsed = await parseInboundEmail(raw);
    expect(parsed.category).toBe('bounce');
    expect(parsed.bounce).toEqual({
      originalMessageId: '<reply-42@library.org>',
      recipients: [{ address: 'reader@example.com', action: 'failed', status: '5.1.1', diagnosticCode: null }],
      status: '5.1.1',
      permanent: null,
    });
    expect(parsed.text).toBe('Your message could not be delivered.');
  });

  it.each([
    ['List-Id: Friends of the Library <friends.library.org>', 'list'],
    ['Precedence: junk', 'auto-reply'],
    ['Auto-Submitted: auto-replied', 'auto-reply'],
  ])('classifies a mail with %j as %s', async (header, category) => {
    const parsed = await parseInboundEmail(mail([...BASE, header]));
    expect(parsed.category).toBe(category);
    expect(parsed.bounce).toBeNull();
  });
});

describe('parseInboundEmail: limits and unreadable input', () => {
  it.each([
    ['empty', Buffer.alloc(0), 'empty_message'],
    ['whitespace', Buffer.from(' \r\n\r\n\t'), 'empty_message'],
    ['plain prose', Buffer.from('just some words\nand more words\n'), 'not_an_email'],
    ['binary', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'not_an_email'],
  ])('refuses %s input', async (_case, raw, code) => {
    await expectParseError(raw, code);
  });

  it('refuses a message over the size limit', async () => {
    await expectParseError(mail(BASE, 'x'.repeat(5000)), 'message_too_large', { maxMessageBytes: 4096 });
  });

  it('refuses MIME nested past the parser limit without recursing for ever', async () => {
    const depth = 200;
    const open = Array.from(
      { length: depth },
      (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`,
    );
    const raw = Buffer.from(BASE.join(CRLF) + CRLF + open.join('') + 'Content-Type: text/plain\r\n\r\ndeep\r\n');
    await expectParseError(raw, 'mime_limit_exceeded');
  });

  it('trims an enormous header block but keeps the fields that matter', async () => {
    const flood = Array.from(
      { length: 5000 },
      (_, i) => `Received: from relay${i}.example.net by mx.example.org; ${'x'.repeat(60)}`,
    );
    const huge = `X-Huge: ${'y'.repeat(200_000)}`;
    const raw = mail([...flood, huge, ...BASE, 'Content-Type: text/plain; charset=utf-8'], 'Body survives');
    const parsed = await parseInboundEmail(raw, { maxHeaderBytes: 64 * 1024 });
    expect(parsed.subject).toBe('Renewal');
    expect(parsed.from?.address).toBe('Jane.Reader@example.com');
    expect(parsed.messageId).toBe('<m1@example.com>');
    expect(parsed.text).toBe('Body survives');
    expect(parsed.headers.some((h) => h.key === 'x-huge')).toBe(false);
    expect(parsed.headers.filter((h) => h.key === 'received').length).toBeLessThan(5000);
    expect(parsed.warnings.map((w) => w.code)).toContain('headers_trimmed');
  });

  it('refuses invalid limits', async () => {
    await expect(parseInboundEmail(mail(BASE), { maxAttachmentBytes: -1 })).rejects.toThrow(TypeError);
  });
});
