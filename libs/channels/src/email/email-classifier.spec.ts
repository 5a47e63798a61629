import { classifyEmail, type EmailCategory } from './email-classifier';
import { parseInboundEmail } from './inbound-email-parser';

function headers(lines: string[]): { key: string; value: string }[] {
  return lines.map((line) => {
    const colon = line.indexOf(':');
    return { key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
  });
}

const PERSON = ['From: Jane Reader <jane@example.com>', 'Subject: Can I renew my loan?'];

describe('classifyEmail', () => {
  it('takes a message without automatic signals as personal', () => {
    expect(classifyEmail({ headers: headers(PERSON) }).category).toBe('personal');
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'auto-reply'],
    ['Auto-Submitted: auto-generated (failure)', 'auto-reply'],
    ['Auto-Submitted: auto-notified; owner-email="x@example.com"', 'auto-reply'],
    ['Auto-Submitted: no', 'personal'],
    ['Auto-Submitted: No (comment)', 'personal'],
    ['X-Autoreply: yes', 'auto-reply'],
    ['X-Autoreply: no', 'personal'],
    ['X-Autorespond: Out of office', 'auto-reply'],
    ['Precedence: bulk', 'auto-reply'],
    ['Precedence: junk', 'auto-reply'],
    ['Precedence: auto_reply', 'auto-reply'],
    ['Precedence: list', 'list'],
    ['Precedence: first-class', 'personal'],
    ['List-Id: Readers <readers.lists.library.org>', 'list'],
    ['List-Unsubscribe: <mailto:leave@lists.library.org>', 'list'],
    ['List-Post: <mailto:readers@lists.library.org>', 'list'],
    ['Mailing-List: contact readers-help@example.org', 'list'],
  ])('classifies a personal message with "%s" as %s', (header, expected) => {
    expect(classifyEmail({ headers: headers([...PERSON, header]) }).category).toBe(expected as EmailCategory);
  });

  it('prefers an explicit auto-reply header over list headers', () => {
    const result = classifyEmail({
      headers: headers([...PERSON, 'List-Id: <l.example.org>', 'Auto-Submitted: auto-replied']),
    });
    expect(result).toMatchObject({ category: 'auto-reply', reason: 'auto-submitted: auto-replied', suspected: false });
  });

  it('prefers list headers over a bulk precedence', () => {
    expect(
      classifyEmail({ headers: headers([...PERSON, 'Precedence: bulk', 'List-Id: <l.example.org>']) }).category,
    ).toBe('list');
  });

  it.each([
    ['Automatic reply: Renewal', 'X-Auto-Response-Suppress: All', 'auto-reply'],
    ['Abwesenheitsnotiz: Fernleihe', 'Return-Path: <>', 'auto-reply'],
    ['Réponse automatique : Prêt', 'X-MS-Exchange-Inbox-Rules-Loop: a@example.com', 'auto-reply'],
    ['Auto reply: Nyaan', 'X-Apple-Action: VACATION', 'auto-reply'],
    ['Automatic reply: is this normal?', 'X-Mailer: Thunderbird', 'personal'],
    ['Out of office until Monday?', 'Return-Path: <jane@example.com>', 'personal'],
  ])('needs a header to back an auto-reply subject: %j + %j → %s', (subject, header, expected) => {
    const result = classifyEmail({ headers: headers(['From: j@example.com', `Subject: ${subject}`, header]) });
    expect(result.category).toBe(expected);
  });

  it('takes two weak auto-reply headers together as an auto-reply', () => {
    const weak = ['X-Auto-Response-Suppress: All', 'X-MS-Exchange-Inbox-Rules-Loop: jane@example.com'];
    expect(classifyEmail({ headers: headers([...PERSON, ...weak]) }).category).toBe('auto-reply');
    expect(classifyEmail({ headers: headers([...PERSON, weak[0]]) }).category).toBe('personal');
  });

  it('recognises delivery-status reports by the report type or by the part', () => {
    const byType = headers([...PERSON, 'Content-Type: multipart/report; report-type="delivery-status"; boundary=x']);
    expect(classifyEmail({ headers: byType }).category).toBe('bounce');
    const byPart = headers([...PERSON, 'Content-Type: multipart/mixed; boundary=x']);
    expect(classifyEmail({ headers: byPart, partTypes: ['text/plain', 'message/delivery-status'] }).category).toBe(
      'bounce',
    );
  });

  it('recognises feedback reports and read receipts', () => {
    const arf = headers([...PERSON, 'Content-Type: multipart/report; report-type=feedback-report; boundary=x']);
    expect(classifyEmail({ headers: arf }).category).toBe('abuse-report');
    const mdn = headers([...PERSON, 'Content-Type: multipart/report; report-type=disposition-notification']);
    expect(classifyEmail({ headers: mdn }).category).toBe('auto-reply');
  });

  it.each([
    ['MAILER-DAEMON@mx.example.org', 'Undelivered Mail Returned to Sender', 'bounce'],
    ['Mail Delivery System <mailer-daemon@example.org>', 'Mail delivery failed: returning message to sender', 'bounce'],
    ['postmaster@example.org', 'Unzustellbar: Fernleihe', 'bounce'],
    ['postmaster@example.org', 'Delivery Status Notification (Failure)', 'bounce'],
    ['postmaster@example.org', 'Your mailbox settings', 'personal'],
    ['jane@example.com', 'Undeliverable: my earlier mail to you', 'personal'],
  ])('treats a message from %j with subject %j as %s', (from, subject, expected) => {
    expect(classifyEmail({ headers: headers([`From: ${from}`, `Subject: ${subject}`]) }).category).toBe(expected);
  });

  it('takes X-Failed-Recipients as a bounce from any sender', () => {
    const result = classifyEmail({ headers: headers([...PERSON, 'X-Failed-Recipients: a@example.org']) });
    expect(result.category).toBe('bounce');
  });

  it('decodes an encoded subject itself when none is given', () => {
    const subject = 'Subject: =?utf-8?q?Automatische_Antwort=3A_Ausleihe?=';
    const result = classifyEmail({ headers: headers(['From: j@example.com', subject, 'Return-Path: <>']) });
    expect(result.category).toBe('auto-reply');
  });
});

// Raw messages of each class of automatic mail, read through the real parser.
interface Raw {
  from: string;
  subject: string;
  headers?: string[];
  contentType?: string;
  body: string;
}
const raw = (m: Raw): Buffer =>
  Buffer.from(
    [
      `From: ${m.from}`,
      'To: ask@riverside.example.org',
      `Subject: ${m.subject}`,
      'Message-ID: <m1@sender.example>',
      'Date: Mon, 23 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      `Content-Type: ${m.contentType ?? 'text/plain; charset=utf-8'}`,
      'Content-Transfer-Encoding: 8bit',
      ...(m.headers ?? []),
      '',
      m.body,
      '',
    ].join('\r\n'),
  );
const classify = async (m: Raw) => {
  const parsed = await parseInboundEmail(raw(m), { now: new Date('2026-11-23T12:00:00Z') });
  return { category: parsed.category, suspected: parsed.suspectedAutomatic, reason: parsed.categoryReason };
};
const RETURNED = ['', '--- Original message ---', 'To: nobody@elsewhere.example', 'Subject: Your hold is ready'].join(
  '\r\n',
);

describe('classifyEmail on raw automatic mail (weighing signals)', () => {
  it.each<[string, Raw, EmailCategory]>([
    [
      'a daemon DSN subject without report-type',
      {
        from: 'MAILER-DAEMON@mx.elsewhere.example',
        subject: 'Delivery status notification',
        body: 'Your mail to nobody@elsewhere.example was not accepted.',
      },
      'bounce',
    ],
    [
      'a postmaster "failed delivery"',
      { from: 'postmaster@elsewhere.example', subject: 'failed delivery', body: 'See below.' + RETURNED },
      'bounce',
    ],
    [
      'a sendmail delay warning',
      {
        from: 'Mail Delivery Subsystem <MAILER-DAEMON@mx.elsewhere.example>',
        subject: 'Warning: could not send message for past 4 hours',
        body: '    **********************************************\r\n    **      THIS IS A WARNING MESSAGE ONLY      **',
      },
      'bounce',
    ],
    [
      'an empty return path with "Undeliverable Message"',
      {
        from: 'Mail Server <mail@elsewhere.example>',
        subject: 'Undeliverable Message',
        headers: ['Return-Path: <>'],
        body: 'Sorry.',
      },
      'bounce',
    ],
    [
      'a Japanese bounce',
      {
        from: 'メール配信システム <mail@elsewhere.jp>',
        subject: '配信不能のお知らせ',
        body: '以下の宛先へのメールは配信できませんでした。\r\n宛先: nobody@elsewhere.jp',
      },
      'bounce',
    ],
    [
      'a German bounce from an ordinary-looking sender',
      {
        from: 'Server <server@elsewhere.de>',
        subject: 'Unzustellbar: Ihre Vormerkung',
        body: 'Ihre Nachricht konnte an folgende Empfänger nicht zugestellt werden: x@elsewhere.de',
      },
      'bounce',
    ],
    [
      'a French bounce',
      {
        from: 'postmaster@elsewhere.fr',
        subject: 'Non remis : Votre réservation',
        body: "Votre message n'a pas pu être remis.",
      },
      'bounce',
    ],
    [
      'a Spanish bounce',
      {
        from: 'Sistema <sistema@elsewhere.es>',
        subject: 'No se puede entregar: Su reserva',
        headers: ['Return-Path: <>'],
        body: 'El mensaje no se ha podido entregar.',
      },
      'bounce',
    ],
    [
      'a Russian bounce',
      { from: 'mailer-daemon@elsewhere.ru', subject: 'Сообщение не доставлено', body: 'Ошибка.' },
      'bounce',
    ],
    [
      'a Chinese bounce',
      { from: 'postmaster@elsewhere.cn', subject: '系统退信', body: '您发送的邮件无法投递。' },
      'bounce',
    ],
    [
      'a Korean bounce',
      { from: 'Mail System <ms@elsewhere.kr>', subject: '메일 반송 안내', headers: ['Return-Path: <>'], body: '.' },
      'bounce',
    ],
    [
      'a bounce recognised by its text and diagnostics only',
      {
        from: 'Mail <mail@elsewhere.example>',
        subject: 'Re-sending failed',
        body: 'This is the mail system at host mx.elsewhere.example.\r\n\r\n<x@elsewhere.example>: 550 5.1.1 User unknown',
      },
      'bounce',
    ],
    [
      'an Amazon SES bounce through SNS (JSON body)',
      {
        from: 'AWS Notifications <no-reply@sns.amazonaws.com>',
        subject: 'AWS Notification Message',
        headers: [
          'x-amz-sns-message-id: 8b5e4d6c-0d1f-5d0e-9c6b-0000',
          'x-amz-sns-topic-arn: arn:aws:sns:eu-west-1:1:ses',
        ],
        body: JSON.stringify({
          notificationType: 'Bounce',
          bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'nobody@elsewhere.example' }] },
          mail: { commonHeaders: { messageId: '<hold-1@riverside.example.org>' } },
        }),
      },
      'bounce',
    ],
    [
      'an Amazon SES complaint (JSON body)',
      {
        from: 'AWS Notifications <no-reply@sns.amazonaws.com>',
        subject: 'AWS Notification Message',
        body: JSON.stringify({
          notificationType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: 'r@elsewhere.example' }] },
        }),
      },
      'abuse-report',
    ],
    [
      'a Hotmail-style complaint without a feedback-report part',
      {
        from: 'staff@hotmail.com',
        subject: 'complaint about message from 203.0.113.5',
        headers: ['X-HmXmrOriginalRecipient: <reader@hotmail.com>'],
        contentType: 'multipart/mixed; boundary="b1"',
        body: [
          '--b1',
          'Content-Type: text/plain',
          '',
          'This is an email abuse report for an email message received from IP 203.0.113.5.',
          '--b1',
          'Content-Type: message/rfc822',
          '',
          'From: ask@riverside.example.org',
          'Subject: Your hold is ready',
          '',
          'Hello',
          '--b1--',
        ].join('\r\n'),
      },
      'abuse-report',
    ],
    [
      'a Japanese auto-reply with an empty return path',
      { from: 'taro@elsewhere.jp', subject: '自動返信: ご質問', headers: ['Return-Path: <>'], body: '不在です。' },
      'auto-reply',
    ],
  ])('%s is automatic', async (_name, message, expected) => {
    const result = await classify(message);
    expect(result).toMatchObject({ category: expected, suspected: false });
  });

  it.each<[string, Raw]>([
    [
      'a reader asking about an undeliverable mail',
      { from: 'jane@example.com', subject: 'Undeliverable: my earlier mail to you', body: 'Did it arrive?' },
    ],
    [
      'a reader forwarding a bounce',
      {
        from: 'jane@example.com',
        subject: 'Fwd: Undeliverable Message',
        headers: ['Return-Path: <jane@example.com>'],
        body: 'Why did this bounce?',
      },
    ],
    [
      'a reader writing about auto replies',
      { from: 'jane@example.com', subject: 'Auto reply broken?', body: 'Your auto reply never came.' },
    ],
    [
      'a reader writing in Japanese',
      { from: 'taro@example.jp', subject: '本の予約について', body: '予約した本はいつ届きますか。' },
    ],
    [
      'a reader forwarding a bounce with its text',
      {
        from: 'jane@example.com',
        subject: 'Fwd: Mail delivery failed',
        body: 'This is the mail system at host mx.example.com.\r\n<x@example.org>: 550 5.1.1 User unknown',
      },
    ],
    [
      'a reader pasting JSON',
      { from: 'dev@example.com', subject: 'API question', body: 'We get {"event": "bounce"} from your webhook, why?' },
    ],
  ])('%s stays personal and unsuspected', async (_name, message) => {
    expect(await classify(message)).toMatchObject({ category: 'personal', suspected: false });
  });

  it.each<[string, Raw]>([
    [
      'a daemon sender with an unknown subject',
      { from: 'MAILER-DAEMON@elsewhere.example', subject: 'Notice', body: 'Hello.' },
    ],
    [
      'a bounce subject with delivery diagnostics from an ordinary sender',
      {
        from: 'x@elsewhere.example',
        subject: 'Mail delivery failed',
        headers: [],
        body: 'Mail delivery failed for x@elsewhere.example: 550 5.1.1 no such user',
      },
    ],
  ])('%s is personal but suspected automatic', async (_name, message) => {
    const result = await classify(message);
    expect(result).toMatchObject({ category: 'personal', suspected: true });
    expect(result.reason).toMatch(/^suspected bounce: /);
  });
});
