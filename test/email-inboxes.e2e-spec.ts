import { Inbox } from '@readerdesk/conversations';
import { DEMO, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createEmailTestDesk, EmailTestDesk } from './support/email-desk';

describeWithDatabase('connecting a mailbox through the API', () => {
  let desk: EmailTestDesk;
  let admin: { Authorization: string };

  beforeAll(async () => {
    desk = await createEmailTestDesk();
    admin = await desk.admin();
  });
  afterAll(async () => desk?.close());

  it('stores passwords sealed, never shows them, keeps them when omitted, and guards the address', async () => {
    const created = await desk.http
      .post('/api/v1/inboxes/email')
      .set(admin)
      .send({
        name: 'Ask a Librarian',
        address: 'Ask@Riverside.example.org',
        fromName: 'Riverside Library',
        imap: { host: '127.0.0.1', port: 10143, user: 'desk', password: 'imap-Secret-1' },
        smtp: { host: '127.0.0.1', port: 2525, user: 'desk', password: 'smtp-Secret-2' },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      address: 'ask@riverside.example.org',
      imap: { host: '127.0.0.1', port: 10143, secure: false, folder: 'INBOX', processed: 'flag' },
      smtp: { host: '127.0.0.1', port: 2525 },
      imapPasswordSet: true,
      smtpPasswordSet: true,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/Secret/);
    const row = await desk.database.manager.getRepository(Inbox).findOneByOrFail({ id: created.body.id as string });
    expect(JSON.stringify(row)).not.toMatch(/Secret/);

    const patched = await desk.http
      .patch(`/api/v1/inboxes/${created.body.id}/email`)
      .set(admin)
      .send({ imap: { folder: 'Library', processed: 'move', moveTo: 'Done' } })
      .expect(200);
    expect(patched.body).toMatchObject({ imap: { folder: 'Library', moveTo: 'Done' }, imapPasswordSet: true });
    const fetched = await desk.http.get(`/api/v1/inboxes/${created.body.id}/email`).set(admin).expect(200);
    // The settings read back as written; `mailbox` is the worker's live report, which moves on meanwhile.
    const settings = (body: Record<string, unknown>) => ({ ...body, mailbox: undefined });
    expect(settings(fetched.body as Record<string, unknown>)).toEqual(
      settings(patched.body as Record<string, unknown>),
    );
    expect((fetched.body as { mailbox: { state: string } }).mailbox.state).toEqual(expect.any(String));

    const bad = await desk.http
      .patch(`/api/v1/inboxes/${created.body.id}/email`)
      .set(admin)
      .send({ imap: { processed: 'move', moveTo: null } })
      .expect(400);
    expect(bad.body.code).toMatch(/invalid/);
    const taken = await desk.http
      .post('/api/v1/inboxes/email')
      .set(admin)
      .send({ name: 'Copy', address: 'ask@riverside.example.org' })
      .expect(409);
    expect(taken.body.code).toBe('address_taken');
    const noPassword = await desk.http
      .post('/api/v1/inboxes/email')
      .set(admin)
      .send({ name: 'Other', address: 'other@riverside.example.org', imap: { host: 'h', port: 993, user: 'u' } })
      .expect(400);
    expect(noPassword.body.detail).toMatch(/password/);

    const agent = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    await desk.http.get(`/api/v1/inboxes/${created.body.id}/email`).set(agent).expect(403);
  });
});
