import { SmtpInboundServer } from '@readerdesk/channels';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTransport } from 'nodemailer';
import { EmailTestDesk, EmailTestDeskBuilder } from './support/email-desk';

const ASK = 'ask@riverside.example.org';
const READER = 'juergen@example.de';

/** A raw message whose lines are byte strings: 8-bit bytes go on the wire as they are. */
const raw = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

interface ConversationView {
  id: string;
  subject: string | null;
}

describeWithDatabase('inbound SMTP: mail in UTF-7, with 8-bit encoded words, or UTF-8 under us-ascii', () => {
  let desk: EmailTestDesk;
  let admin: { Authorization: string };
  let port: number;

  beforeAll(async () => {
    const started = await new EmailTestDeskBuilder()
      .withEnv({ DESK_SMTP_PORT: '0', DESK_SMTP_HOST: '127.0.0.1', DESK_SMTP_HOSTNAME: 'desk.riverside.example.org' })
      .withEmailInbox({ name: ASK, address: ASK })
      .start();
    desk = started.desk;
    admin = await desk.admin();
    port = desk.app.get(SmtpInboundServer).port as number;
  });
  afterAll(async () => desk?.close());

  const send = async (message: Buffer): Promise<void> => {
    const mailer = createTransport({ host: '127.0.0.1', port, secure: false, name: 'relay.test.example' });
    try {
      await mailer.sendMail({ envelope: { from: READER, to: ASK }, raw: message });
    } finally {
      mailer.close();
    }
  };
  const conversation = async (subject: string): Promise<ConversationView> => {
    const page: { body: { items: ConversationView[] } } = await desk.http
      .get('/api/v1/conversations')
      .query({ limit: 100 })
      .set(admin)
      .expect(200);
    const found = page.body.items.filter((c) => c.subject === subject);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const inboundTexts = async (id: string): Promise<Array<string | null>> => {
    const timeline = await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(admin).expect(200);
    return (timeline.body as Array<{ kind: string; text: string | null }>)
      .filter((m) => m.kind === 'inbound')
      .map((m) => m.text);
  };

  it('shows the decoded subject and text of a UTF-7 mail', async () => {
    await send(
      raw([
        `From: =?utf-7?Q?J+APw-rgen?= <${READER}>`,
        `To: ${ASK}`,
        'Subject: =?utf-7?Q?Fr+APY-sche_im_Teich?=',
        'Message-ID: <utf7-1@example.de>',
        'Date: Sun, 22 Nov 2026 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-7',
        '',
        '+APw-ber die Ausleihe: haben Sie B+APw-cher +APw-ber Fr+APY-sche?',
      ]),
    );
    const opened = await conversation('Frösche im Teich');
    expect(await inboundTexts(opened.id)).toEqual(['über die Ausleihe: haben Sie Bücher über Frösche?']);
  });

  it('shows raw Latin-1 bytes inside an encoded word and UTF-8 under us-ascii as the letters they are', async () => {
    await send(
      raw([
        `From: ${READER}`,
        `To: ${ASK}`,
        'Subject: =?iso-8859-1?Q?Gr\xfc\xdfe_aus_K\xf6ln?=',
        'Message-ID: <latin1-word-1@example.de>',
        'Date: Sun, 22 Nov 2026 10:05:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=us-ascii',
        'Content-Transfer-Encoding: 8bit',
        '',
        utf8('Envoyé depuis mon téléphone'),
      ]),
    );
    const opened = await conversation('Grüße aus Köln');
    expect(await inboundTexts(opened.id)).toEqual(['Envoyé depuis mon téléphone']);
  });
});
