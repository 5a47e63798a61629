import { EmailIngestService } from '@readerdesk/channels';
import { Inbox, type MessageDelivery, OutboxService, SENDING_LEASE_MS } from '@readerdesk/conversations';
import { libraryScope } from '@readerdesk/platform';
import { MessageRepository } from '../libs/conversations/src/message.repository';
import { DEMO, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import PostalMime, { type Email } from 'postal-mime';
import { EmailTestDesk, EmailTestDeskBuilder, poll } from './support/email-desk';

/** What the relay answers to the next DATA: accept, or an SMTP error code with its text. */
type Answer = 'accept' | { code: number; text: string };

interface Delivered {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  parsed: Email;
}

interface TimelineItem {
  id: string;
  kind: string;
  text: string | null;
  externalId: string | null;
  data: { acknowledgement?: boolean; delivery?: { status: string; attempts: number; error: string | null } };
}

/**
 * Replies leaving the desk: a real SMTP exchange with an `smtp-server` relay that can be told to
 * defer (451) or refuse (550) the next messages. Checks the headers a mail client threads by, the
 * outbox's retries and its visible failed state, the acknowledgement of new questions (RFC 3834:
 * marked automatic, rate-limited, never for machine mail) and header injection through names and
 * subjects a reader controls.
 */
describeWithDatabase('email replies leaving through SMTP (outbox, retries, acknowledgements)', () => {
  let desk: EmailTestDesk;
  let agent: { Authorization: string };
  let ask: Inbox;
  let noSmtp: Inbox;
  let emails: EmailIngestService;
  const answers: Answer[] = [];
  const delivered: Delivered[] = [];
  const attempts: string[] = []; // Message-ID of every DATA the relay saw, accepted or not

  let sequence = 0;
  const mail = (parts: { from?: string; subject?: string; messageId?: string; headers?: string[]; to?: string }) => {
    sequence += 1;
    return Buffer.from(
      [
        `From: ${parts.from ?? 'Maria Gonzalez <maria.gonzalez@example.org>'}`,
        `To: ${parts.to ?? 'ask@riverside.example.org'}`,
        `Subject: ${parts.subject ?? `Question ${sequence}`}`,
        `Message-ID: ${parts.messageId ?? `<q${sequence}.${Date.now()}@mail.example.org>`}`,
        'Date: Sun, 22 Nov 2026 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        ...(parts.headers ?? []),
        '',
        'Do you keep the Riverside Herald from 1925?',
        '',
      ].join('\r\n'),
    );
  };
  const ingest = async (inbox: Inbox, raw: Buffer) => {
    const result = await emails.ingestRaw(inbox, raw, 'imap');
    if (result.kind !== 'stored') throw new Error(`not stored: ${JSON.stringify(result)}`);
    return result;
  };
  const timeline = async (conversationId: string) =>
    (await desk.http.get(`/api/v1/conversations/${conversationId}/timeline`).set(agent).expect(200))
      .body as TimelineItem[];
  const reply = async (conversationId: string, text: string, attachmentIds?: string[]) =>
    (
      await desk.http
        .post(`/api/v1/conversations/${conversationId}/replies`)
        .set(agent)
        .send({ text, attachmentIds })
        .expect(201)
    ).body as { id: string };
  const settled = (conversationId: string, messageId: string) =>
    poll(`message ${messageId} sent or failed`, async () => {
      const found = (await timeline(conversationId)).find((m) => m.id === messageId);
      const status = found?.data.delivery?.status;
      return status === 'sent' || status === 'failed' ? found : undefined;
    });
  const deliveredWith = (messageId: string) => delivered.filter((d) => d.parsed.messageId === messageId);

  beforeAll(async () => {
    const started = await new EmailTestDeskBuilder()
      .withRelay(async ({ raw, mailFrom, rcptTo }) => {
        const text = raw.toString('utf8');
        const parsed = await PostalMime.parse(text);
        attempts.push(parsed.messageId ?? '');
        const answer = answers.shift() ?? 'accept';
        if (answer !== 'accept') throw Object.assign(new Error(answer.text), { responseCode: answer.code });
        delivered.push({ mailFrom, rcptTo, raw: text, parsed });
      })
      .withEnv({ DESK_DELIVERY_RETRY_BASE_MS: '100', DESK_DELIVERY_ATTEMPTS: '4' })
      .withEmailInbox((d) => ({
        fromName: 'Riverside Library',
        signature: 'Riverside Library · Ask a Librarian',
        acknowledge: true,
        smtp: d.relay?.smtp,
      }))
      .withEmailInbox({ name: 'Old address', address: 'old@riverside.example.org' })
      .start();
    desk = started.desk;
    [ask, noSmtp] = started.inboxes;
    emails = desk.app.get(EmailIngestService);
    agent = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD); // supervisor: sees the triage queue
  });
  afterAll(async () => desk?.close());

  it('acknowledges a new question once, marked as automatic, and sends the reply threaded with its attachment', async () => {
    const question = await ingest(
      ask,
      mail({ subject: 'Riverside Herald 1925', messageId: '<herald@mail.example.org>' }),
    );
    expect(question.conversationCreated).toBe(true);
    const conversation = (
      await desk.http.get(`/api/v1/conversations/${question.conversationId}`).set(agent).expect(200)
    ).body as { number: number };

    // The acknowledgement: recorded on the timeline, sent once, Auto-Submitted.
    const ack = await poll('the acknowledgement on the timeline', async () =>
      (await timeline(question.conversationId)).find((m) => m.data.acknowledgement === true),
    );
    const ackSent = await settled(question.conversationId, ack.id);
    expect(ackSent.data.delivery?.status).toBe('sent');
    const [ackMail] = deliveredWith(ack.externalId!);
    expect(deliveredWith(ack.externalId!)).toHaveLength(1);
    expect(ackMail.raw).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(ackMail.parsed.subject).toBe(`Re: Riverside Herald 1925 [#${conversation.number}]`);
    expect(ackMail.parsed.text).toContain(`reference #${conversation.number}`);
    expect(ackMail.rcptTo).toEqual(['maria.gonzalez@example.org']);

    // The agent's reply, with a file.
    const bytes = Buffer.from('%PDF-1.4 reading list\n');
    const upload = await desk.http
      .post(`/api/v1/conversations/${question.conversationId}/attachments`)
      .query({ filename: 'reading-list.pdf' })
      .set(agent)
      .set('Content-Type', 'application/pdf')
      .send(bytes)
      .expect(201);
    const sent = await reply(question.conversationId, 'Yes, on microfilm at Central.', [upload.body.id as string]);
    const done = await settled(question.conversationId, sent.id);
    expect(done.data.delivery).toMatchObject({ status: 'sent', attempts: 1, error: null });
    const copies = deliveredWith(done.externalId!);
    expect(copies).toHaveLength(1);
    const { parsed, rcptTo, mailFrom, raw } = copies[0];
    expect(done.externalId).toMatch(/^<[^<>@\s]+@riverside\.example\.org>$/);
    expect(parsed.messageId).toBe(done.externalId);
    expect(parsed.inReplyTo).toBe('<herald@mail.example.org>');
    // The thread: the question first, then what the desk already sent on it.
    expect(parsed.references?.split(/\s+/)).toEqual(['<herald@mail.example.org>', ack.externalId]);
    expect(parsed.subject).toBe(`Re: Riverside Herald 1925 [#${conversation.number}]`);
    expect(parsed.from).toMatchObject({ name: 'Riverside Library', address: 'ask@riverside.example.org' });
    expect(parsed.to).toEqual([expect.objectContaining({ address: 'maria.gonzalez@example.org' })]);
    expect(rcptTo).toEqual(['maria.gonzalez@example.org']);
    expect(mailFrom).toBe('ask@riverside.example.org');
    expect(parsed.text).toContain('Yes, on microfilm at Central.');
    expect(parsed.text).toContain('-- \nRiverside Library · Ask a Librarian');
    expect(raw).not.toMatch(/^Auto-Submitted:/m);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'reading-list.pdf', mimeType: 'application/pdf' });
    expect(Buffer.from(parsed.attachments[0].content as ArrayBuffer).equals(bytes)).toBe(true);
  });

  it('acknowledges a sender at most once an hour, and never auto-replies, bulk or list mail', async () => {
    const before = delivered.length;
    const second = await ingest(ask, mail({ subject: 'Another question' })); // Maria again, within the hour
    expect(second.conversationCreated).toBe(true);
    const machine = [
      mail({ from: 'Out of office <ooo@example.net>', headers: ['Auto-Submitted: auto-replied'] }),
      mail({ from: 'Newsletter <news@example.net>', headers: ['Precedence: bulk'] }),
      mail({ from: 'List <list@example.net>', headers: ['List-Id: <books.lists.example.net>'] }),
    ];
    for (const raw of machine) await emails.ingestRaw(ask, raw, 'imap');
    // A genuine new sender is still acknowledged: proof the acknowledgements were running meanwhile.
    const other = await ingest(ask, mail({ from: 'Tom Reed <tom.reed@example.org>', subject: 'Opening hours' }));
    await poll('the acknowledgement to Tom', async () =>
      delivered.slice(before).some((d) => d.rcptTo.includes('tom.reed@example.org')) ? true : undefined,
    );
    const after = delivered.slice(before);
    expect(after.map((d) => d.rcptTo)).toEqual([['tom.reed@example.org']]);
    expect((await timeline(second.conversationId)).some((m) => m.data.acknowledgement)).toBe(false);
    expect((await timeline(other.conversationId)).some((m) => m.data.acknowledgement)).toBe(true);
  });

  it('tries again after 451 answers and delivers once; fails at once on 550, with the reason on the timeline', async () => {
    const question = await ingest(ask, mail({ from: 'Ann Lee <ann.lee@example.org>' }));
    await poll('the acknowledgement to Ann', async () =>
      delivered.some((d) => d.rcptTo.includes('ann.lee@example.org')) ? true : undefined,
    );

    answers.push({ code: 451, text: 'Try again later' }, { code: 451, text: 'Still busy' });
    const deferred = await reply(question.conversationId, 'Your card is renewed.');
    const done = await settled(question.conversationId, deferred.id);
    expect(done.data.delivery).toMatchObject({ status: 'sent', attempts: 3, error: null });
    expect(attempts.filter((id) => id === done.externalId)).toHaveLength(3);
    expect(deliveredWith(done.externalId!)).toHaveLength(1);

    answers.push({ code: 550, text: 'Mailbox unavailable' });
    const refused = await reply(question.conversationId, 'And your hold is ready.');
    const failed = await settled(question.conversationId, refused.id);
    expect(failed.data.delivery?.status).toBe('failed');
    expect(failed.data.delivery?.error).toMatch(/550.*Mailbox unavailable/);
    expect(failed.text).toBe('And your hold is ready.');
    // Permanent: not tried again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(attempts.filter((id) => id === failed.externalId)).toHaveLength(1);
    expect(deliveredWith(failed.externalId!)).toHaveLength(0);
  });

  it('sends a reply once when its job runs again or two workers take it, and again (same Message-ID) after a worker died mid-attempt', async () => {
    const question = await ingest(ask, mail({ from: 'Cy Park <cy.park@example.org>' }));
    await poll('the acknowledgement to Cy', async () =>
      delivered.some((d) => d.rcptTo.includes('cy.park@example.org')) ? true : undefined,
    );
    const sent = await settled(question.conversationId, (await reply(question.conversationId, 'On shelf 3.')).id);
    expect(sent.data.delivery).toMatchObject({ status: 'sent', attempts: 1 });
    const outbox = desk.app.get(OutboxService);
    const messages = desk.app.get(MessageRepository);
    const scope = libraryScope(ask.libraryId);
    const job = { libraryId: ask.libraryId, messageId: sent.id };
    const context = { id: sent.id, queue: 'outbox', name: 'deliver', attempt: 1 };
    const setState = async (delivery: MessageDelivery) =>
      messages.setDelivery(scope, await messages.getById(scope, sent.id), delivery);
    const state = async () => (await messages.getById(scope, sent.id)).data.delivery as MessageDelivery;

    // Its job delivered again after the send (a stalled job, a sweep): nothing leaves.
    await outbox.deliver(job, context);
    await outbox.sweep();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveredWith(sent.externalId!)).toHaveLength(1);

    // Queued, and two workers run its job at the same moment: one of them sends it.
    await setState({ status: 'queued', attempts: 1, error: 'attempt 1 of 4 failed', at: new Date().toISOString() });
    await Promise.all([outbox.deliver(job, context), outbox.deliver(job, context)]);
    expect(deliveredWith(sent.externalId!)).toHaveLength(2);
    expect(await state()).toMatchObject({ status: 'sent', attempts: 2, error: null });

    // A worker is sending it now (its attempt began a moment ago): the sweep and the job leave it alone.
    await setState({ status: 'sending', attempts: 2, error: null, at: new Date().toISOString() });
    await outbox.sweep();
    await outbox.deliver(job, context);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveredWith(sent.externalId!)).toHaveLength(2);
    expect(await state()).toMatchObject({ status: 'sending', attempts: 2 });

    // That worker died mid-attempt (its lease is over): the sweep sends it again, with the same Message-ID.
    const longAgo = new Date(Date.now() - SENDING_LEASE_MS - 60_000).toISOString();
    await setState({ status: 'sending', attempts: 2, error: null, at: longAgo });
    await outbox.sweep();
    const again = await settled(question.conversationId, sent.id);
    expect(again.data.delivery).toMatchObject({ status: 'sent', attempts: 3, error: null });
    expect(deliveredWith(sent.externalId!)).toHaveLength(3);
  });

  it('gives up after the configured attempts when the relay keeps deferring', async () => {
    const question = await ingest(ask, mail({ from: 'Bo Chan <bo.chan@example.org>' }));
    await poll('the acknowledgement to Bo', async () =>
      delivered.some((d) => d.rcptTo.includes('bo.chan@example.org')) ? true : undefined,
    );
    for (let i = 0; i < 4; i++) answers.push({ code: 421, text: 'Service not available' });
    const message = await reply(question.conversationId, 'We have it.');
    const failed = await settled(question.conversationId, message.id);
    expect(failed.data.delivery).toMatchObject({ status: 'failed', attempts: 4 });
    expect(failed.data.delivery?.error).toMatch(/gave up after 4 attempts/);
    expect(answers).toEqual([]);
  });

  it('keeps a reply it cannot send (no SMTP for the inbox) and shows it failed with the reason', async () => {
    const question = await ingest(noSmtp, mail({ to: 'old@riverside.example.org' }));
    const message = await reply(question.conversationId, 'Please write to ask@ from now on.');
    const failed = await settled(question.conversationId, message.id);
    expect(failed.text).toBe('Please write to ask@ from now on.');
    expect(failed.data.delivery?.status).toBe('failed');
    expect(failed.data.delivery?.error).toMatch(/no outgoing mail \(SMTP\) settings/);
  });

  it('lets no line break from a reader’s name or subject into the headers of the reply', async () => {
    const hostile = await ingest(
      ask,
      mail({
        from: '=?utf-8?Q?Eve=0D=0ABcc:_victim@evil.example?= <eve@example.org>',
        subject: '=?utf-8?Q?Books=0D=0ABcc:_victim@evil.example=0D=0A=0D=0Abody?=',
      }),
    );
    await poll('the acknowledgement to Eve', async () =>
      delivered.some((d) => d.rcptTo.includes('eve@example.org')) ? true : undefined,
    );
    const message = await reply(hostile.conversationId, 'Here you are.');
    const done = await settled(hostile.conversationId, message.id);
    expect(done.data.delivery?.status).toBe('sent');
    const [copy] = deliveredWith(done.externalId!);
    expect(copy.rcptTo).toEqual(['eve@example.org']);
    expect(copy.parsed.headers.filter((h) => h.key === 'bcc')).toEqual([]);
    expect(copy.raw).not.toMatch(/^Bcc:/im);
    expect(copy.parsed.subject).not.toMatch(/[\r\n]/);
    expect(copy.parsed.subject).toContain('Books');
    expect(copy.parsed.text).toContain('Here you are.');
  });
});
