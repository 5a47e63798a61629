import { SmtpInboundServer } from '@readerdesk/channels';
import { describeWithDatabase } from '@readerdesk/testing';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport, type SendMailOptions } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { SmtpDialogue } from './support/smtp-dialogue';
import { eventually } from './support/sockets';
import { EmailTestDesk, EmailTestDeskBuilder } from './support/email-desk';
import type { TestApp } from './support/test-app';

const LIMIT = 64 * 1024;
const ASK = 'ask@riverside.example.org';
const ARCHIVES = 'archives@riverside.example.org';
const MARIA = 'maria.gonzalez@example.org';

interface MailParts {
  subject: string;
  messageId?: string | null;
  from?: string;
  to?: string;
  headers?: string[];
  body?: string;
}

/** A message as a relay hands it over; no Message-ID header when messageId is null. */
const mail = (m: MailParts): Buffer =>
  Buffer.from(
    [
      `From: ${m.from ?? `Maria Gonzalez <${MARIA}>`}`,
      `To: ${m.to ?? ASK}`,
      `Subject: ${m.subject}`,
      ...(m.messageId === null
        ? []
        : [`Message-ID: ${m.messageId ?? `<${m.subject.replace(/\W+/g, '.')}@example.org>`}`]),
      'Date: Sun, 22 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...(m.headers ?? []),
      '',
      m.body ?? 'Do you keep the Riverside Herald from 1925?',
      '',
    ].join('\r\n'),
  );

interface ConversationView {
  id: string;
  number: number;
  inboxId: string;
  channel: string;
  subject: string | null;
}

interface SmtpFailure {
  responseCode?: number;
  response?: string;
  command?: string;
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) {
  console.warn(
    '\n!! SKIPPING the STARTTLS tests of email-smtp-inbound.e2e-spec.ts: the openssl CLI is not installed\n',
  );
}

/** The desk's REST view of what arrived: conversations by subject and their inbound messages. */
function restView(desk: () => TestApp, bearer: () => { Authorization: string }) {
  const conversations = async (subject: string): Promise<ConversationView[]> => {
    const found: ConversationView[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: ConversationView[]; nextCursor: string | null } } = await desk()
        .http.get('/api/v1/conversations')
        .query({ limit: 100, ...(cursor ? { cursor } : {}) })
        .set(bearer())
        .expect(200);
      found.push(...page.body.items.filter((c) => c.subject === subject));
      cursor = page.body.nextCursor;
    } while (cursor);
    return found;
  };
  const inbound = async (conversationId: string): Promise<Array<{ text: string | null; subject: string | null }>> => {
    const timeline = await desk()
      .http.get(`/api/v1/conversations/${conversationId}/timeline`)
      .set(bearer())
      .expect(200);
    return (timeline.body as Array<{ kind: string; text: string | null; subject: string | null }>).filter(
      (m) => m.kind === 'inbound',
    );
  };
  return { conversations, inbound };
}

/** Resolves once nothing accepts connections on the port any more; fails after a while instead of hanging. */
async function untilRefused(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function refusal(sending: Promise<unknown>): Promise<SmtpFailure> {
  const outcome = await sending.then(
    () => undefined,
    (error: unknown) => error as SmtpFailure,
  );
  if (!outcome) throw new Error('the desk accepted what it should have refused');
  return outcome;
}

describeWithDatabase('inbound SMTP: the desk as the MX or relay of its email inboxes', () => {
  let desk: EmailTestDesk;
  let admin: { Authorization: string };
  let port: number;
  let askId: string;
  let archivesId: string;
  const view = restView(
    () => desk,
    () => admin,
  );

  const send = async (options: SendMailOptions, transport: SMTPTransport.Options = {}) => {
    const mailer = createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      name: 'relay.test.example',
      connectionTimeout: 10_000,
      ...transport,
    });
    try {
      return await mailer.sendMail(options);
    } finally {
      mailer.close();
    }
  };
  const sendRaw = (raw: Buffer, to: string | string[] = ASK, from = MARIA) => send({ envelope: { from, to }, raw });
  /** A session up to DATA on a raw socket: EHLO, MAIL FROM, RCPT TO. */
  const session = async (from: string, to: string[], mailParams = ''): Promise<SmtpDialogue> => {
    const { dialogue } = await SmtpDialogue.open(port);
    await dialogue.ehlo();
    expect((await dialogue.command(`MAIL FROM:<${from}>${mailParams}`)).code).toBe(250);
    for (const rcpt of to) expect((await dialogue.command(`RCPT TO:<${rcpt}>`)).code).toBe(250);
    return dialogue;
  };

  beforeAll(async () => {
    const started = await new EmailTestDeskBuilder()
      .withEnv({
        DESK_SMTP_PORT: '0',
        DESK_SMTP_HOST: '127.0.0.1',
        DESK_SMTP_HOSTNAME: 'desk.riverside.example.org',
        DESK_SMTP_MAX_BYTES: String(LIMIT),
      })
      .withEmailInbox({ name: ASK, address: ASK })
      .withEmailInbox({ name: ARCHIVES, address: ARCHIVES })
      .start();
    desk = started.desk;
    [askId, archivesId] = started.inboxes.map((inbox) => inbox.id);
    admin = await desk.admin();
    port = desk.app.get(SmtpInboundServer).port as number;
  });
  afterAll(async () => desk?.close());

  it('greets by its name and offers SIZE, 8BITMIME, SMTPUTF8, enhanced codes; no AUTH, no STARTTLS without a certificate', async () => {
    expect(port).toBeGreaterThan(0);
    const { dialogue, greeting } = await SmtpDialogue.open(port);
    expect(greeting.code).toBe(220);
    expect(greeting.text).toMatch(/^desk\.riverside\.example\.org ESMTP/);
    const keywords = await dialogue.ehlo();
    expect(keywords).toEqual(expect.arrayContaining([`SIZE ${LIMIT}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES']));
    expect(keywords.filter((k) => /^(STARTTLS|AUTH)\b/.test(k))).toEqual([]);
    expect((await dialogue.command('STARTTLS')).code).toBeGreaterThanOrEqual(500);
    await dialogue.quit();

    const insisting = await refusal(
      send({ from: MARIA, to: ASK, subject: 'TLS please', text: 'x' }, { requireTLS: true }),
    );
    expect(insisting).toMatchObject({ command: 'STARTTLS', responseCode: 500 });
    expect(await view.conversations('TLS please')).toEqual([]);
  });

  it('turns a mail to an inbox address into a conversation, and a plus address reaches the same inbox', async () => {
    const info = await send({
      from: `Maria Gonzalez <${MARIA}>`,
      to: ASK,
      subject: 'Riverside Herald 1925',
      text: 'Do you keep the Riverside Herald from 1925?',
      messageId: '<herald-1925@example.org>',
    });
    expect(info.response).toMatch(/^250 2\.6\.0 /);
    const [opened, ...others] = await view.conversations('Riverside Herald 1925');
    expect(others).toEqual([]);
    expect(opened).toMatchObject({ inboxId: askId, channel: 'email' });
    const [first] = await view.inbound(opened.id);
    expect(first.text).toContain('Riverside Herald from 1925');

    // ask+<number>@ is the inbox's plus address for that conversation: its reader continues it.
    const plus = await send({
      from: MARIA,
      to: `Ask+${opened.number}@Riverside.example.org`,
      subject: 'And 1926?',
      text: 'And 1926, if you have it.',
    });
    expect(plus.accepted).toEqual([`Ask+${opened.number}@riverside.example.org`]);
    expect(await view.conversations('And 1926?')).toEqual([]);
    expect((await view.inbound(opened.id)).map((m) => m.text)).toEqual([
      expect.stringContaining('1925'),
      expect.stringContaining('And 1926, if you have it.'),
    ]);

    // A plus tag that is no conversation number still reaches the inbox, as a new question.
    await send({ from: MARIA, to: 'ask+website@riverside.example.org', subject: 'From the website', text: 'Hi' });
    expect(await view.conversations('From the website')).toEqual([expect.objectContaining({ inboxId: askId })]);
  });

  it('refuses unknown recipients with 550 5.1.1 and stores nothing for them', async () => {
    const unknown = await refusal(
      send({ from: MARIA, to: 'nobody@riverside.example.org', subject: 'Lost letter', text: 'Hello?' }),
    );
    expect(unknown.responseCode).toBe(550);
    expect(unknown.response).toMatch(/^550 5\.1\.1 .*nobody@riverside\.example\.org.* not an inbox of this desk/);
    const elsewhere = await refusal(
      send({ from: MARIA, to: 'ask@elsewhere.example', subject: 'Lost letter', text: 'Hello?' }),
    );
    expect(elsewhere.responseCode).toBe(550);
    expect(await view.conversations('Lost letter')).toEqual([]);

    // Among known ones, only the unknown recipient is refused; the message reaches the inbox once.
    const mixed = await send({
      from: MARIA,
      to: [ASK, 'nobody@riverside.example.org'],
      subject: 'Mixed recipients',
      text: 'Hello',
    });
    expect(mixed.accepted).toEqual([ASK]);
    expect(mixed.rejected).toEqual(['nobody@riverside.example.org']);
    expect(await view.conversations('Mixed recipients')).toEqual([expect.objectContaining({ inboxId: askId })]);
  });

  it('closes a session that keeps guessing addresses', async () => {
    const { dialogue } = await SmtpDialogue.open(port);
    await dialogue.ehlo();
    await dialogue.command(`MAIL FROM:<${MARIA}>`);
    for (let i = 1; i <= 20; i += 1) {
      expect((await dialogue.command(`RCPT TO:<guess${i}@riverside.example.org>`)).code).toBe(550);
    }
    const last = await dialogue.command('RCPT TO:<guess21@riverside.example.org>');
    expect(last.code).toBe(421);
    await eventually(() => dialogue.isClosed, 'the server to close the connection');
  });

  it('ingests a message for several inboxes once per inbox', async () => {
    const info = await sendRaw(mail({ subject: 'For two desks', messageId: '<two-desks@example.org>' }), [
      ASK,
      ARCHIVES,
      'ask+copy@riverside.example.org',
    ]);
    expect(info.accepted).toHaveLength(3);
    const found = await view.conversations('For two desks');
    expect(found.map((c) => c.inboxId).sort()).toEqual([askId, archivesId].sort());
    for (const conversation of found) expect(await view.inbound(conversation.id)).toHaveLength(1);
  });

  it('refuses an oversized message with 552 5.3.4 naming the limit, declared or not', async () => {
    const big = mail({ subject: 'Scanned atlas', body: 'x'.repeat(LIMIT) });
    const declared = await SmtpDialogue.open(port);
    await declared.dialogue.ehlo();
    const early = await declared.dialogue.command(`MAIL FROM:<${MARIA}> SIZE=${big.length}`);
    expect(early.code).toBe(552);
    expect(early.text).toMatch(new RegExp(`^5\\.3\\.4 .*${LIMIT}`));
    await declared.dialogue.quit();

    const undeclared = await refusal(sendRaw(big));
    expect(undeclared.responseCode).toBe(552);
    expect(undeclared.response).toMatch(new RegExp(`^552 5\\.3\\.4 .*${LIMIT}`));

    // The session stays usable after the refusal: a relay sends its next message on it.
    const dialogue = await session(MARIA, [ASK]);
    expect((await dialogue.data(big)).lines[0]).toMatch(new RegExp(`^552 5\\.3\\.4 .*${LIMIT}`));
    await dialogue.command(`MAIL FROM:<${MARIA}>`);
    await dialogue.command(`RCPT TO:<${ASK}>`);
    expect((await dialogue.data(mail({ subject: 'Smaller scan' }))).code).toBe(250);
    await dialogue.quit();
    expect(await view.conversations('Scanned atlas')).toEqual([]);
    expect(await view.conversations('Smaller scan')).toHaveLength(1);
  });

  it('stores a message once, whether a relay retries it or delivers it five times at once', async () => {
    const raw = mail({ subject: 'Retried question', messageId: '<retried@example.org>' });
    expect((await sendRaw(raw)).response).toMatch(/^250 /);
    expect((await sendRaw(raw)).response).toMatch(/^250 /);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => sendRaw(raw)));
    expect(parallel.map((info) => info.response.slice(0, 3))).toEqual(['250', '250', '250', '250', '250']);
    const [conversation, ...others] = await view.conversations('Retried question');
    expect(others).toEqual([]);
    expect(await view.inbound(conversation.id)).toHaveLength(1);

    // Without a Message-ID the desk derives one from the bytes; what it adds to them must not vary.
    const anonymous = mail({ subject: 'Question without an id', messageId: null });
    await sendRaw(anonymous);
    await Promise.all(Array.from({ length: 3 }, () => sendRaw(anonymous)));
    const [plain, ...more] = await view.conversations('Question without an id');
    expect(more).toEqual([]);
    expect(await view.inbound(plain.id)).toHaveLength(1);
  });

  it('accepts an auto-reply about nothing it holds and holds it for staff (RFC 3834), told apart by the null sender', async () => {
    const vacation = await session('', [ASK]);
    const held = await vacation.data(
      mail({ subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'], body: 'Away until Monday.' }),
    );
    expect(held.code).toBe(250);
    expect(held.text).toMatch(/held for staff/);
    // A subject like this alone is no proof (a reader may write it); with the envelope's null sender it is.
    await vacation.command('MAIL FROM:<>');
    await vacation.command(`RCPT TO:<${ASK}>`);
    expect(
      (await vacation.data(mail({ subject: 'Automatic reply: renewals', messageId: '<ar1@example.org>' }))).code,
    ).toBe(250);
    await vacation.quit();
    expect(await view.conversations('Out of office')).toEqual([]);
    expect(await view.conversations('Automatic reply: renewals')).toEqual([]);

    await sendRaw(mail({ subject: 'Automatic reply: renewals', messageId: '<ar2@example.org>' }));
    expect(await view.conversations('Automatic reply: renewals')).toHaveLength(1);
  });

  it('reads bare line feeds, an 8-bit body and UTF-8 headers (SMTPUTF8)', async () => {
    const dialogue = await session('josé@bücher.example', [ASK], ' SMTPUTF8 BODY=8BITMIME');
    const message = Buffer.from(
      [
        'From: José Müller <josé@bücher.example>',
        `To: ${ASK}`,
        'Subject: Bücher über Flüsse — ¿tienen mapas?',
        'Message-ID: <utf8-rivers@bücher.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Grüße aus Köln — gibt es Karten der Flüsse?',
        '.a line that starts with a dot',
        '',
      ].join('\n'),
      'utf8',
    );
    const reply = await dialogue.data(message);
    expect(reply.code).toBe(250);
    await dialogue.quit();
    const [conversation] = await view.conversations('Bücher über Flüsse — ¿tienen mapas?');
    expect(conversation).toMatchObject({ inboxId: askId });
    const [received] = await view.inbound(conversation.id);
    expect(received.text).toContain('Grüße aus Köln — gibt es Karten der Flüsse?');
    expect(received.text).toContain('.a line that starts with a dot');
  });

  it('answers 554 5.6.0 for bytes that are no email', async () => {
    const dialogue = await session(MARIA, [ASK]);
    const junk = await dialogue.data(Buffer.from('just some words and no header at all\r\n'));
    expect(junk.lines[0]).toMatch(/^554 5\.6\.0 .*no header fields/);
    await dialogue.quit();
  });

  // Last: it takes the messages table away for a moment.
  it('answers 451 4.3.0 while it cannot store, so the relay retries, and the retry is stored once', async () => {
    const raw = mail({ subject: 'During the outage', messageId: '<outage@example.org>' });
    await desk.database.dataSource.query('ALTER TABLE messages RENAME TO messages_away');
    let failure: SmtpFailure;
    try {
      failure = await refusal(sendRaw(raw));
    } finally {
      await desk.database.dataSource.query('ALTER TABLE messages_away RENAME TO messages');
    }
    expect(failure.responseCode).toBe(451);
    expect(failure.response).toMatch(/^451 4\.3\.0 .*try again later/);
    expect((await sendRaw(raw)).response).toMatch(/^250 /);
    const [conversation, ...others] = await view.conversations('During the outage');
    expect(others).toEqual([]);
    expect(await view.inbound(conversation.id)).toHaveLength(1);
  });
});

(hasOpenssl ? describeWithDatabase : describe.skip)('inbound SMTP with a certificate: STARTTLS', () => {
  let desk: EmailTestDesk;
  let admin: { Authorization: string };
  let port: number;
  let dir: string;
  let fingerprint: string;
  const view = restView(
    () => desk,
    () => admin,
  );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'readerdesk-smtp-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
    fingerprint = new X509Certificate(readFileSync(cert)).fingerprint256;
    ({ desk } = await new EmailTestDeskBuilder()
      .withEnv({ DESK_SMTP_PORT: '0', DESK_SMTP_HOST: '127.0.0.1', DESK_SMTP_TLS_CERT: cert, DESK_SMTP_TLS_KEY: key })
      .withEmailInbox({ name: ASK, address: ASK })
      .start());
    admin = await desk.admin();
    port = desk.app.get(SmtpInboundServer).port as number;
  });
  afterAll(async () => {
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades with its own certificate and no longer offers STARTTLS inside TLS', async () => {
    const { dialogue } = await SmtpDialogue.open(port);
    expect(await dialogue.ehlo()).toContain('STARTTLS');
    expect((await dialogue.startTls()).code).toBe(220);
    const tls = dialogue.tlsSocket;
    expect(tls?.encrypted).toBe(true);
    expect(tls?.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    expect(tls?.getPeerCertificate().fingerprint256).toBe(fingerprint);
    const inside = await dialogue.ehlo();
    expect(inside).not.toContain('STARTTLS');
    expect(inside.filter((k) => k.startsWith('AUTH'))).toEqual([]);
    await dialogue.command(`MAIL FROM:<${MARIA}>`);
    await dialogue.command(`RCPT TO:<${ASK}>`);
    expect((await dialogue.data(mail({ subject: 'Sent over TLS by hand' }))).code).toBe(250);
    await dialogue.quit();
    expect(await view.conversations('Sent over TLS by hand')).toHaveLength(1);
  });

  it('serves a relay that insists on TLS', async () => {
    const mailer = createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    try {
      const info = await mailer.sendMail({ from: MARIA, to: ASK, subject: 'Sent over TLS', text: 'Encrypted.' });
      expect(info.response).toMatch(/^250 2\.6\.0 /);
    } finally {
      mailer.close();
    }
    expect(await view.conversations('Sent over TLS')).toHaveLength(1);
  });

  // Last: it shuts this desk down.
  it('finishes a message in flight when the desk shuts down, and takes no new connections', async () => {
    const { dialogue } = await SmtpDialogue.open(port);
    await dialogue.ehlo();
    await dialogue.command(`MAIL FROM:<${MARIA}>`);
    await dialogue.command(`RCPT TO:<${ASK}>`);
    expect((await dialogue.command('DATA')).code).toBe(354);
    const message = mail({ subject: 'Arriving during shutdown' }).toString('utf8');
    const half = Math.floor(message.length / 2);
    dialogue.write(message.slice(0, half));
    const closing = desk.app.close();
    await untilRefused(port);
    dialogue.write(`${message.slice(half)}.\r\n`);
    expect((await dialogue.reply()).lines[0]).toMatch(/^250 2\.6\.0 /);
    await closing;
  });
});
