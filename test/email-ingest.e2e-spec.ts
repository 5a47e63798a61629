import { EmailIngestService } from '@readerdesk/channels';
import { ConversationService, Inbox } from '@readerdesk/conversations';
import { MessageRepository } from '../libs/conversations/src/message.repository';
import { DEMO, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { libraryScope } from '@readerdesk/platform';
import { describeWithDatabase } from '@readerdesk/testing';
import { EmailTestDesk, EmailTestDeskBuilder, poll, RelayedMail } from './support/email-desk';

interface MailParts {
  from?: string;
  to?: string;
  subject?: string;
  messageId: string;
  headers?: string[];
  body?: string;
}

const mail = (m: MailParts): Buffer =>
  Buffer.from(
    [
      `From: ${m.from ?? 'Maria Gonzalez <maria.gonzalez@example.org>'}`,
      `To: ${m.to ?? 'ask@riverside.example.org'}`,
      `Subject: ${m.subject ?? 'Newspapers from the 1920s'}`,
      `Message-ID: ${m.messageId}`,
      'Date: Sun, 22 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...(m.headers ?? []),
      '',
      m.body ?? 'Do you keep the Riverside Herald from 1925?',
      '',
    ].join('\r\n'),
  );

describeWithDatabase('email becoming conversations (ingestion, threading, loop prevention)', () => {
  let desk: EmailTestDesk;
  let inbox: Inbox;
  let acknowledging: Inbox;
  const relayed: RelayedMail[] = [];
  let emails: EmailIngestService;
  let agent: { Authorization: string };

  const conversation = async (id: string) =>
    (await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200)).body as {
      status: string;
      number: number;
      readerId: string;
    };
  const timeline = async (id: string) =>
    (await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(agent).expect(200)).body as Array<{
      kind: string;
      text: string;
      data: Record<string, unknown>;
    }>;

  beforeAll(async () => {
    const started = await new EmailTestDeskBuilder()
      .withEnv({ DESK_ATTACHMENT_MAX_BYTES: String(1024 * 1024) })
      .withRelay((m) => void relayed.push(m))
      .withEmailInbox((d) => ({ smtp: d.relay?.smtp }))
      .withEmailInbox((d) => ({
        name: 'Renewals',
        address: 'renew@riverside.example.org',
        smtp: d.relay?.smtp,
        acknowledge: true,
      }))
      .start();
    desk = started.desk;
    [inbox, acknowledging] = started.inboxes;
    agent = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD); // supervisor: sees the triage queue
  });
  afterAll(async () => desk?.close());

  it('opens a conversation for a new email and continues it for replies, once per Message-ID', async () => {
    emails = desk.app.get(EmailIngestService);
    const first = await emails.ingestRaw(inbox, mail({ messageId: '<q1@example.org>' }), 'imap');
    expect(first).toMatchObject({ kind: 'stored', conversationCreated: true, duplicate: false });
    if (first.kind !== 'stored') throw new Error('not stored');
    const again = await emails.ingestRaw(inbox, mail({ messageId: '<q1@example.org>' }), 'smtp');
    expect(again).toMatchObject({ kind: 'stored', duplicate: true, messageId: first.messageId });

    const reply = await emails.ingestRaw(
      inbox,
      mail({
        messageId: '<q2@example.org>',
        subject: 'Re: Newspapers from the 1920s',
        headers: ['In-Reply-To: <q1@example.org>', 'References: <q1@example.org>'],
        body: 'Also 1926, please.\r\n\r\nOn Sun, Maria wrote:\r\n> Do you keep the Riverside Herald from 1925?',
      }),
      'imap',
    );
    expect(reply).toMatchObject({ kind: 'stored', conversationId: first.conversationId, conversationCreated: false });
    const messages = await timeline(first.conversationId);
    const last = messages[messages.length - 1];
    expect(last.data.email).toMatchObject({ newText: 'Also 1926, please.', category: 'personal' });
    expect(String((last.data.email as { quotedText: string }).quotedText)).toContain('Riverside Herald');

    // A fresh email without threading headers is a new question.
    const fresh = await emails.ingestRaw(
      inbox,
      mail({ messageId: '<q3@example.org>', subject: 'Card renewal' }),
      'imap',
    );
    expect(fresh).toMatchObject({ kind: 'stored', conversationCreated: true });
  });

  it('continues by [#number] only for the conversation’s own reader', async () => {
    const opened = await emails.ingestRaw(inbox, mail({ messageId: '<t1@example.org>', subject: 'Genealogy' }), 'imap');
    if (opened.kind !== 'stored') throw new Error('not stored');
    const { number } = await conversation(opened.conversationId);
    const token = await emails.ingestRaw(
      inbox,
      mail({ messageId: '<t2@example.org>', subject: `Re: Genealogy [#${number}]` }),
      'imap',
    );
    expect(token).toMatchObject({ kind: 'stored', conversationId: opened.conversationId });
    const stranger = await emails.ingestRaw(
      inbox,
      mail({
        messageId: '<t3@example.org>',
        from: 'Someone Else <someone@elsewhere.example>',
        subject: `Re: Genealogy [#${number}]`,
      }),
      'imap',
    );
    expect(stranger.kind).toBe('stored');
    expect(stranger.kind === 'stored' && stranger.conversationId).not.toBe(opened.conversationId);
  });

  it('never opens a conversation for an auto-reply, and records one on its thread without waking it', async () => {
    const vacation = (id: string, extra: string[]) =>
      mail({
        messageId: id,
        subject: 'Out of office',
        headers: ['Auto-Submitted: auto-replied', ...extra],
        body: 'I am away until Monday.',
      });
    const loose = await emails.ingestRaw(inbox, vacation('<ooo1@example.org>', []), 'imap');
    expect(loose).toMatchObject({ kind: 'held', reason: 'automatic', category: 'auto-reply' });

    const opened = await emails.ingestRaw(
      inbox,
      mail({ messageId: '<a1@example.org>', subject: 'Inter-library loan' }),
      'imap',
    );
    if (opened.kind !== 'stored') throw new Error('not stored');
    const before = await conversation(opened.conversationId);
    const threaded = await emails.ingestRaw(
      inbox,
      vacation('<ooo2@example.org>', ['In-Reply-To: <a1@example.org>']),
      'imap',
    );
    expect(threaded).toMatchObject({ kind: 'recorded', category: 'auto-reply', conversationId: opened.conversationId });
    expect((await conversation(opened.conversationId)).status).toBe(before.status);
  });

  it('opens no conversation for automatic mail the old pair rules missed; holds back the unsure', async () => {
    const automatic: Array<[string, MailParts]> = [
      [
        'dsn-subject',
        { from: 'MAILER-DAEMON@mx.elsewhere.example', subject: 'Delivery status notification', messageId: '<am1@x>' },
      ],
      [
        'null-return-path',
        {
          from: 'Mail <mail@elsewhere.example>',
          subject: 'Undeliverable Message',
          messageId: '<am2@x>',
          headers: ['Return-Path: <>'],
        },
      ],
      [
        'japanese',
        {
          from: 'mail@elsewhere.jp',
          subject: '配信エラー',
          messageId: '<am3@x>',
          body: 'メールを配信できませんでした。',
        },
      ],
      [
        'ses-json',
        {
          from: 'no-reply@sns.amazonaws.com',
          subject: 'AWS Notification Message',
          messageId: '<am4@x>',
          body: '{"notificationType":"Bounce","bounce":{}}',
        },
      ],
      [
        'hotmail-complaint',
        {
          from: 'staff@hotmail.com',
          subject: 'complaint about message from 203.0.113.5',
          messageId: '<am5@x>',
          headers: ['X-HmXmrOriginalRecipient: <r@hotmail.com>'],
        },
      ],
    ];
    const conversations = desk.app.get(ConversationService);
    const scope = libraryScope(inbox.libraryId);
    for (const [name, parts] of automatic) {
      const outcome = await emails.ingestRaw(inbox, mail(parts), 'imap');
      expect({ name, kind: outcome.kind, reason: outcome.kind === 'held' && outcome.reason }).toEqual({
        name,
        kind: 'held',
        reason: 'automatic',
      });
      expect(await conversations.latestMessageWithExternalId(scope, inbox.id, [parts.messageId])).toBeNull();
    }
    const unsure = await emails.ingestRaw(
      inbox,
      mail({ from: 'MAILER-DAEMON@mx.elsewhere.example', subject: 'Notice', messageId: '<am6@x>' }),
      'imap',
    );
    // Unsure: held in the unprocessed list for staff, opening no conversation; never dropped, never acknowledged.
    expect(unsure).toMatchObject({ kind: 'held', reason: 'suspected_automatic', category: 'personal' });
    expect(await conversations.latestMessageWithExternalId(scope, inbox.id, ['<am6@x>'])).toBeNull();
  });

  it('attaches a bounce to the conversation of the reply it returns and marks that reply failed', async () => {
    const opened = await emails.ingestRaw(inbox, mail({ messageId: '<b1@example.org>', subject: 'Renewals' }), 'imap');
    if (opened.kind !== 'stored') throw new Error('not stored');
    const sent = await desk.http
      .post(`/api/v1/conversations/${opened.conversationId}/replies`)
      .set(agent)
      .send({ text: 'Renewed until December.' })
      .expect(201);
    // The outbox sends it (to the relay above) under its own Message-ID, the reply's external id.
    const scope = libraryScope(inbox.libraryId);
    const repository = desk.app.get(MessageRepository);
    const deadline = Date.now() + 15_000;
    let replyId: string | null = null;
    while (!replyId) {
      const current = await repository.getById(scope, sent.body.id as string);
      if (current.deliveryStatus === 'sent') replyId = current.externalId;
      else if (Date.now() > deadline) throw new Error(`reply not sent: ${JSON.stringify(current.data)}`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bounce = Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
        'To: ask@riverside.example.org',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-b1@mx.example.org>',
        'Date: Sun, 22 Nov 2026 10:05:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--B',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        'Final-Recipient: rfc822; maria.gonzalez@example.org',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '',
        '--B',
        'Content-Type: text/rfc822-headers',
        '',
        'From: ask@riverside.example.org',
        'To: maria.gonzalez@example.org',
        `Message-ID: ${replyId}`,
        'Subject: Re: Renewals',
        '',
        '--B--',
        '',
      ].join('\r\n'),
    );
    const outcome = await emails.ingestRaw(inbox, bounce, 'imap');
    expect(outcome).toMatchObject({ kind: 'recorded', category: 'bounce', conversationId: opened.conversationId });
    const reply = await desk.app.get(MessageRepository).getById(scope, sent.body.id as string);
    expect(reply.deliveryStatus).toBe('failed');
    expect(reply.data.delivery).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('User unknown'),
    });
    const kinds = (await timeline(opened.conversationId)).map((m) => m.kind);
    expect(kinds.filter((k) => k === 'inbound')).toHaveLength(2);
  });

  it('reads Amazon SES bounce notifications: a permanent one fails the reply it names, a transient one does not', async () => {
    const scope = libraryScope(acknowledging.libraryId);
    const repository = desk.app.get(MessageRepository);
    const sentExternalId = async (id: string): Promise<string> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const current = await repository.getById(scope, id);
        if (current.deliveryStatus === 'sent' && current.externalId) return current.externalId;
        if (Date.now() > deadline) throw new Error(`not sent: ${JSON.stringify(current.data)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const opened = await emails.ingestRaw(
      acknowledging,
      mail({ to: 'renew@riverside.example.org', messageId: '<ses-q1@example.org>', subject: 'Renew my loans' }),
      'imap',
    );
    if (opened.kind !== 'stored') throw new Error('not stored');
    // The question is acknowledged (after its commit); that mail is sent before the counting below starts.
    const acknowledgement = await poll('the acknowledgement', async () =>
      (await timeline(opened.conversationId)).find((m) => m.data.acknowledgement === true),
    );
    await sentExternalId((acknowledgement as unknown as { id: string }).id);
    const sent = await desk.http
      .post(`/api/v1/conversations/${opened.conversationId}/replies`)
      .set(agent)
      .send({ text: 'Renewed until January.' })
      .expect(201);
    const replyId = await sentExternalId(sent.body.id as string);
    const relayedBefore = relayed.length;
    const outboundBefore = (await timeline(opened.conversationId)).filter((m) => m.kind === 'outbound').length;

    const notification = (bounceType: string, diagnosticCode: string) => ({
      notificationType: 'Bounce',
      bounce: {
        bounceType,
        bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
        bouncedRecipients: [{ emailAddress: 'maria.gonzalez@example.org', diagnosticCode }],
        timestamp: '2026-12-02T10:00:02.000Z',
      },
      mail: {
        // SES's own id, which the desk never set: the desk's Message-ID in the headers is what counts.
        messageId: '0102018c3e7a1f2b-6a1e0c1b-7d3f-4e52-9a1b-2c3d4e5f6a7b-000000',
        source: 'renew@riverside.example.org',
        headers: [{ name: 'Message-ID', value: replyId }],
        commonHeaders: { messageId: replyId, subject: 'Re: Renew my loans' },
      },
    });
    const sns = (messageId: string, body: string): Buffer =>
      mail({
        from: 'AWS Notifications <no-reply@sns.amazonaws.com>',
        to: 'renew@riverside.example.org',
        subject: 'AWS Notification Message',
        messageId,
        headers: ['x-amz-sns-message-id: 8b5e4d6c-0d1f-5d0e-9c6b-1a2b3c4d5e6f'],
        body,
      });

    // Transient (SES's verdict, though the code is 5.x), in an SNS envelope (email-json): recorded, the reply stays sent.
    const envelope = JSON.stringify({
      Type: 'Notification',
      MessageId: '8b5e4d6c-0d1f-5d0e-9c6b-1a2b3c4d5e6f',
      Message: JSON.stringify(notification('Transient', 'smtp; 552 5.2.2 Mailbox full')),
    });
    const transient = await emails.ingestRaw(acknowledging, sns('<ses-n1@eu-west-1.amazonses.com>', envelope), 'imap');
    expect(transient).toMatchObject({ kind: 'recorded', category: 'bounce', conversationId: opened.conversationId });
    expect((await repository.getById(scope, sent.body.id as string)).deliveryStatus).toBe('sent');

    // Permanent, the notification itself with SNS's email footer: the reply is failed with the diagnostic.
    const permanent = await emails.ingestRaw(
      acknowledging,
      sns(
        '<ses-n2@eu-west-1.amazonses.com>',
        `${JSON.stringify(notification('Permanent', 'smtp; 550 5.1.1 maria.gonzalez@example.org: User unknown'))}\r\n--\r\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:`,
      ),
      'imap',
    );
    expect(permanent).toMatchObject({ kind: 'recorded', category: 'bounce', conversationId: opened.conversationId });
    const reply = await repository.getById(scope, sent.body.id as string);
    expect(reply.deliveryStatus).toBe('failed');
    expect(reply.data.delivery).toMatchObject({
      status: 'failed',
      error: 'Bounced for maria.gonzalez@example.org: 550 5.1.1 maria.gonzalez@example.org: User unknown',
    });

    // Both notices are on that conversation, silently: no new conversation, nothing sent in answer.
    const after = await timeline(opened.conversationId);
    expect(after.filter((m) => m.kind === 'inbound').map((m) => (m.data.email as { bounce: unknown }).bounce)).toEqual([
      null,
      expect.objectContaining({ permanent: false, originalMessageId: replyId }),
      expect.objectContaining({ permanent: true, status: '5.1.1', originalMessageId: replyId }),
    ]);
    expect(after.filter((m) => m.kind === 'outbound')).toHaveLength(outboundBefore);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(relayed.length).toBe(relayedBefore);
  });

  it('keeps the message and notes an attachment over the limit; refuses what is not email', async () => {
    const big = 'A'.repeat(2000);
    const raw = Buffer.from(
      [
        'From: maria.gonzalez@example.org',
        'To: ask@riverside.example.org',
        'Subject: Scans',
        'Message-ID: <att1@example.org>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="M"',
        '',
        '--M',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Two scans attached.',
        '--M',
        'Content-Type: image/png; name="small.png"',
        'Content-Disposition: attachment; filename="small.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('tiny png bytes').toString('base64'),
        '--M',
        'Content-Type: application/pdf; name="huge.pdf"',
        'Content-Disposition: attachment; filename="huge.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(big.repeat(700)).toString('base64'),
        '--M--',
        '',
      ].join('\r\n'),
    );
    const stored = await emails.ingestRaw(inbox, raw, 'smtp');
    if (stored.kind !== 'stored') throw new Error(`not stored: ${JSON.stringify(stored)}`);
    const [message] = (await timeline(stored.conversationId)).filter((m) => m.kind === 'inbound');
    expect(message.data.droppedAttachments).toEqual([
      expect.objectContaining({
        filename: 'huge.pdf',
        size: 1_400_000,
        reason: expect.stringContaining('larger than'),
      }),
    ]);
    expect(
      (message as unknown as { attachments: Array<{ filename: string }> }).attachments.map((a) => a.filename),
    ).toEqual(['small.png']);
    expect(await emails.ingestRaw(inbox, Buffer.from('   \r\n'), 'smtp')).toMatchObject({ kind: 'unreadable' });
  });
});
