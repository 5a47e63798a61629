import { classifyEmail, type EmailCategory } from './email-classifier';

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
    expect(result).toEqual({ category: 'auto-reply', reason: 'auto-submitted: auto-replied' });
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
