import { MailboxSupervisor } from '@readerdesk/channels';
import { DEMO, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase, dovecotSkipReason, type TestDovecot } from '@readerdesk/testing';
import { ImapFlow } from 'imapflow';
import PostalMime from 'postal-mime';
import { createEmailTestDesk, EmailTestDesk, poll as pollEvery } from './support/email-desk';

const skip = dovecotSkipReason();
if (skip) console.warn(`email journey skipped: ${skip}`);

const poll = <T>(what: string, get: () => Promise<T | undefined>): Promise<T> =>
  pollEvery(what, get, { ms: 30_000, every: 150 });

/**
 * The "tried as a new user would": an administrator connects a mailbox, a reader's email
 * becomes a conversation in the right department, the agent's reply arrives in the reader's own
 * mailbox threaded under her question, and her answer lands in the same conversation. Real Dovecot
 * holds both mailboxes; the library's "mail server" is an SMTP receiver that delivers into them.
 */
(skip ? describe.skip : describeWithDatabase)('the email journey, end to end', () => {
  let dovecot: TestDovecot;
  let desk: EmailTestDesk;

  beforeAll(async () => {
    desk = await createEmailTestDesk({
      dovecot: [
        { user: 'desk', password: 'desk-secret' },
        { user: 'maria', password: 'maria-secret' },
      ],
      // The library's mail server delivers replies to Maria into her own mailbox.
      relay: async ({ raw, rcptTo }) => {
        await Promise.all(
          rcptTo.filter((a) => a === 'maria.gonzalez@example.org').map(() => dovecot.append('maria', 'INBOX', raw)),
        );
      },
      env: { DESK_DELIVERY_RETRY_BASE_MS: '200' },
    });
    dovecot = desk.dovecot!;
  });
  afterAll(async () => desk?.close());

  it('question by email → conversation → threaded reply in the reader’s mailbox → her answer in the same conversation', async () => {
    const admin = await desk.admin();
    const lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD); // Reference
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    await desk.createEmailInbox({
      fromName: 'Riverside Library',
      defaultDepartmentId: reference.id,
      imap: { host: dovecot.host, port: dovecot.port, user: 'desk', password: 'desk-secret', pollSeconds: 5 },
      smtp: desk.relay?.smtp,
    });
    await desk.app.get(MailboxSupervisor).reconcile();

    // Maria writes to the library.
    await dovecot.append(
      'desk',
      'INBOX',
      [
        'From: Maria Gonzalez <maria.gonzalez@example.org>',
        'To: Riverside Library <ask@riverside.example.org>',
        'Subject: Riverside Herald 1925',
        'Message-ID: <question-1@mail.example.org>',
        'Date: Sun, 22 Nov 2026 09:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Do you keep the Riverside Herald from 1925? Gracias.',
        '',
      ].join('\r\n'),
    );
    const conversation = await poll('the conversation', async () => {
      const page = await desk.http.get('/api/v1/conversations').set(lena).expect(200);
      return (page.body.items as Array<{ id: string; number: number; subject: string; departmentId: string }>).find(
        (c) => c.subject === 'Riverside Herald 1925',
      );
    });
    expect(conversation.departmentId).toBe(reference.id);

    // Lena answers in the console.
    const reply = await desk.http
      .post(`/api/v1/conversations/${conversation.id}/replies`)
      .set(lena)
      .send({ text: 'Yes — on microfilm at Central, second floor.' })
      .expect(201);

    // It arrives in Maria's own mailbox, threaded under her question.
    const received = await poll('the reply in Maria’s mailbox', async () => {
      const client = new ImapFlow({
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        auth: { user: 'maria', pass: 'maria-secret' },
        logger: false,
      });
      await client.connect();
      try {
        await client.mailboxOpen('INBOX');
        const [first] = await client.fetchAll('1:*', { source: true });
        return first?.source;
      } catch {
        return undefined;
      } finally {
        await client.logout().catch(() => client.close());
      }
    });
    const parsed = await PostalMime.parse(received);
    expect(parsed.inReplyTo).toBe('<question-1@mail.example.org>');
    expect(parsed.references).toContain('<question-1@mail.example.org>');
    expect(parsed.subject).toBe(`Re: Riverside Herald 1925 [#${conversation.number}]`);
    expect(parsed.from?.address).toBe('ask@riverside.example.org');
    expect(parsed.text).toContain('on microfilm at Central');
    const delivered = await poll('the reply marked sent', async () => {
      const timeline = (await desk.http.get(`/api/v1/conversations/${conversation.id}/timeline`).set(lena).expect(200))
        .body as Array<{ id: string; data: { delivery?: { status: string } } }>;
      const mine = timeline.find((m) => m.id === reply.body.id);
      return mine?.data.delivery?.status === 'sent' ? mine : undefined;
    });
    expect(delivered.data.delivery?.status).toBe('sent');

    // Maria answers from her mail client, which keeps the headers but drops the subject token.
    await dovecot.append(
      'desk',
      'INBOX',
      [
        'From: Maria Gonzalez <maria.gonzalez@example.org>',
        'To: ask@riverside.example.org',
        'Subject: Re: Riverside Herald 1925',
        'Message-ID: <answer-2@mail.example.org>',
        `In-Reply-To: ${parsed.messageId}`,
        `References: <question-1@mail.example.org> ${parsed.messageId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Wonderful, I will come on Saturday.',
        '',
        `On Sunday, Riverside Library wrote:`,
        '> Yes — on microfilm at Central, second floor.',
        '',
      ].join('\r\n'),
    );
    const timeline = await poll('her answer on the same conversation', async () => {
      const items = (await desk.http.get(`/api/v1/conversations/${conversation.id}/timeline`).set(lena).expect(200))
        .body as Array<{ kind: string; data: { email?: { newText?: string } } }>;
      return items.filter((m) => m.kind === 'inbound').length === 2 ? items : undefined;
    });
    const answer = timeline.filter((m) => m.kind === 'inbound')[1];
    expect(answer.data.email?.newText).toBe('Wonderful, I will come on Saturday.');
    const after = await desk.http.get(`/api/v1/conversations/${conversation.id}`).set(lena).expect(200);
    expect(after.body.status).toBe('open');
    const all = await desk.http.get('/api/v1/conversations').set(lena).expect(200);
    expect(
      (all.body.items as Array<{ subject: string }>).filter((c) => c.subject?.includes('Riverside Herald')),
    ).toHaveLength(1);
  }, 90_000);
});
