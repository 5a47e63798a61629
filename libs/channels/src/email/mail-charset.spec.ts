import { parseInboundEmail } from './inbound-email-parser';
import { decodeMailText } from './mail-charset';

/*
 * Raw messages built byte by byte: header lines may carry raw 8-bit bytes (as old clients send
 * them), so each line is a Buffer or a string of bytes (`latin1`), never re-encoded as UTF-8.
 */
const CRLF = '\r\n';
const NOW = new Date('2026-03-05T12:00:00Z');
type Line = string | Buffer;

const bytes = (line: Line): Buffer => (typeof line === 'string' ? Buffer.from(line, 'latin1') : line);
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function mail(headers: Line[], body: Line[] = ['Hello']): Buffer {
  const out: Buffer[] = [];
  for (const line of headers) out.push(bytes(line), Buffer.from(CRLF));
  out.push(Buffer.from(CRLF));
  for (const line of body) out.push(bytes(line), Buffer.from(CRLF));
  return Buffer.concat(out);
}

const BASE = [
  'To: Library Desk <desk@library.org>',
  'Date: Thu, 05 Mar 2026 10:15:00 +0100',
  'Message-ID: <c1@example.com>',
];

async function header(subject: string, from = 'Reader <reader@example.com>') {
  const parsed = await parseInboundEmail(mail([...BASE, `From: ${from}`, `Subject: ${subject}`]), { now: NOW });
  return { subject: parsed.subject, name: parsed.from?.name, address: parsed.from?.address };
}

async function body(contentType: string, content: Line[], encoding = '8bit') {
  return parseInboundEmail(
    mail(
      [
        ...BASE,
        'From: reader@example.com',
        'Subject: x',
        'MIME-Version: 1.0',
        `Content-Type: ${contentType}`,
        `Content-Transfer-Encoding: ${encoding}`,
      ],
      content,
    ),
    { now: NOW },
  );
}

async function filenames(dispositions: string[]): Promise<(string | null)[]> {
  const parts = dispositions.flatMap((disposition) => [
    '--b1',
    'Content-Type: application/octet-stream',
    disposition,
    'Content-Transfer-Encoding: base64',
    '',
    'SGVsbG8=',
  ]);
  const parsed = await parseInboundEmail(
    mail(
      [
        ...BASE,
        'From: reader@example.com',
        'Subject: files',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      ['--b1', 'Content-Type: text/plain; charset=utf-8', '', 'See attached.', ...parts, '--b1--'],
    ),
    { now: NOW },
  );
  return [...parsed.attachments.map((a) => a.filename)];
}

describe('mail text decoding: UTF-7', () => {
  it('decodes UTF-7 encoded words in subjects and display names (Q and B, both labels)', async () => {
    expect((await header('=?utf-7?Q?Fr+APY-sche?=')).subject).toBe('Frösche');
    expect(
      (await header('=?UTF-7?B?' + Buffer.from('+APw-ber die B+APw-cher').toString('base64') + '?=')).subject,
    ).toBe('über die Bücher');
    expect((await header('=?unicode-1-1-utf-7?Q?Gr+APwA3w-e?= [#12]')).subject).toBe('Grüße [#12]');
    expect(await header('x', '=?utf-7?Q?J+APw-rgen_M+APw-ller?= <j@example.de>')).toMatchObject({
      name: 'Jürgen Müller',
      address: 'j@example.de',
    });
  });

  it('decodes UTF-7 text/plain and text/html bodies', async () => {
    const plain = await body('text/plain; charset=utf-7', ['+APw-ber die Ausleihe, Gr+APwA3w-e'], '7bit');
    expect(plain.text).toBe('über die Ausleihe, Grüße');
    const html = await body('text/html; charset="UTF-7"', ['<p>+APw-ber +IKw-5</p>'], '7bit');
    expect(html.html?.trim()).toBe('<p>über €5</p>');
    expect(html.text).toBe('über €5');
  });

  it('decodes UTF-7 attachment names', async () => {
    expect(await filenames(['Content-Disposition: attachment; filename="=?utf-7?Q?Fr+APY-sche.pdf?="'])).toEqual([
      'Frösche.pdf',
    ]);
  });

  it('does not treat IMAP modified UTF-7 (a folder-name encoding) as a message charset', () => {
    expect(decodeMailText(Buffer.from('Fr&APY-sche'), 'utf-7-imap')).toBe('Fr&APY-sche');
  });
});

describe('mail text decoding: raw 8-bit bytes inside encoded words', () => {
  it('decodes them with the charset the word declares', async () => {
    expect((await header('=?iso-8859-1?Q?Fr\xf6sche?=')).subject).toBe('Frösche');
    expect((await header('=?windows-1252?Q?\x93Ausleihe\x94_\x80_5?=')).subject).toBe('“Ausleihe” € 5');
    expect((await header('=?iso-8859-2?Q?\xa3\xf3d\xbc?=')).subject).toBe('Łódź');
    expect((await header('=?koi8-r?Q?\xf0\xd2\xc9\xd7\xc5\xd4?=')).subject).toBe('Привет');
    expect(await header('x', '=?iso-8859-1?Q?J\xfcrgen_M=FCller?= <j@example.de>')).toMatchObject({
      name: 'Jürgen Müller',
      address: 'j@example.de',
    });
  });

  it('keeps literal 8-bit text around encoded words readable', async () => {
    expect((await header(`${utf8('Grüße')} =?iso-8859-1?Q?aus_K=F6ln?=`)).subject).toBe('Grüße aus Köln');
  });

  it('decodes attachment names with raw 8-bit bytes inside or outside encoded words', async () => {
    expect(
      await filenames([
        'Content-Disposition: attachment; filename="=?iso-8859-1?Q?B\xfccher.pdf?="',
        'Content-Disposition: attachment; filename="Gr\xfc\xdfe.txt"',
        `Content-Disposition: attachment; filename="${utf8('Übersicht.pdf')}"`,
      ]),
    ).toEqual(['Bücher.pdf', 'Grüße.txt', 'Übersicht.pdf']);
  });
});

describe('mail text decoding: UTF-8 under us-ascii or unknown labels', () => {
  it('reads valid UTF-8 encoded words labelled us-ascii or unknown as UTF-8', async () => {
    expect((await header('=?us-ascii?Q?Envoy=C3=A9?=')).subject).toBe('Envoyé');
    expect((await header(`=?x-unknown?B?${Buffer.from('Envoyé').toString('base64')}?=`)).subject).toBe('Envoyé');
    expect((await header('x', '=?us-ascii?Q?Ren=C3=A9e_Dupr=C3=A9?= <r@example.fr>')).name).toBe('Renée Dupré');
  });

  it('reads valid UTF-8 bodies labelled us-ascii or unknown as UTF-8', async () => {
    expect((await body('text/plain; charset=us-ascii', [utf8('Envoyé depuis mon téléphone')])).text).toBe(
      'Envoyé depuis mon téléphone',
    );
    expect((await body('text/plain; charset=us-ascii', ['Envoy=C3=A9'], 'quoted-printable')).text).toBe('Envoyé');
    const html = await body('text/html; charset=x-bogus-charset', [utf8('<b>Grüße</b>')]);
    expect(html.html?.trim()).toBe('<b>Grüße</b>');
    expect(html.text).toBe('Grüße');
  });

  it('reads valid UTF-8 attachment names labelled us-ascii as UTF-8', async () => {
    expect(await filenames(['Content-Disposition: attachment; filename="=?us-ascii?Q?Envoy=C3=A9.txt?="'])).toEqual([
      'Envoyé.txt',
    ]);
  });

  it('keeps reading 8-bit bytes that are not UTF-8 as Windows-1252', async () => {
    expect((await header('=?us-ascii?Q?Caf=E9_=80?=')).subject).toBe('Café €');
    expect((await body('text/plain; charset=us-ascii', ['Caf\xe9 \x93ok\x94'])).text).toBe('Café “ok”');
    expect((await body('text/plain; charset=x-unknown', ['Caf\xe9'])).text).toBe('Café');
  });
});
