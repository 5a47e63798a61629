import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ChannelsModule, EmailInboxService, MailboxCursor } from '@readerdesk/channels';
import { Conversation } from '@readerdesk/conversations';
import {
  DEMO,
  DEMO_ADMIN,
  DEMO_AGENT_PASSWORD,
  DeskDataSourceOptions,
  PersistenceModule,
} from '@readerdesk/persistence';
import { DatabaseService, Environment, libraryScope, PlatformModule } from '@readerdesk/platform';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { describeWithDatabase, dovecotSkipReason, testDialect } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { createEmailTestDesk, EmailTestDesk, poll } from './support/email-desk';
import { connectConsole, ConnectedConsole, eventually } from './support/sockets';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';

const skip = dovecotSkipReason();
if (skip) console.warn(`mailbox state tests skipped: ${skip}`);

/** Well under the supervisor's 15 s round: only the settings event can make it. */
const PICKED_UP_WITHIN_MS = 5_000;

interface MailboxView {
  state: string;
  since: string | null;
  lastFetchAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  waiting: number | null;
  worker: string | null;
  leaseUntil: string | null;
}

function mail(n: number, to: string): string {
  return [
    `From: Reader ${n} <reader${n}@example.org>`,
    `To: ${to}`,
    `Subject: Question ${n}`,
    `Message-ID: <status-${n}-${Date.now()}@example.org>`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Do you have book number ${n}?`,
    '',
  ].join('\r\n');
}

(skip ? describe.skip : describeWithDatabase)(
  "a mailbox's state, and new mailboxes read at once (real Dovecot)",
  () => {
    let desk: EmailTestDesk;
    let proxy: TcpProxy;
    const consoles: ConnectedConsole[] = [];

    const mailboxOf = async (inboxId: string): Promise<MailboxView> => {
      const answer = await desk.http
        .get(`/api/v1/inboxes/${inboxId}/email`)
        .set(await desk.admin())
        .expect(200);
      return (answer.body as { mailbox: MailboxView }).mailbox;
    };
    const whenState = (inboxId: string, state: string, ms = 20_000) =>
      poll(
        `mailbox ${inboxId} to be ${state}`,
        async () => {
          const view = await mailboxOf(inboxId);
          return view.state === state ? view : undefined;
        },
        { ms, every: 50 },
      );
    const consoleOf = async (email: string, password: string): Promise<ConnectedConsole> => {
      const url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
      const token = (await desk.signIn(email, password)).Authorization.replace('Bearer ', '');
      const connected = await connectConsole(url, token);
      consoles.push(connected);
      return connected;
    };
    const healthEvents = (c: ConnectedConsole, inboxId: string) =>
      c.received
        .filter(([e, p]) => e === 'mailbox.health-changed' && (p as { inboxId: string }).inboxId === inboxId)
        .map(([, p]) => p as { state: string; error: string | null; consecutiveFailures: number });

    beforeAll(async () => {
      desk = await createEmailTestDesk({
        dovecot: [
          { user: 'desk', password: 'desk-secret' },
          { user: 'other', password: 'other-secret' },
        ],
        // Fast back-off, so that five failures in a row take seconds: 0.3 s, 0.6 s, 1.2 s, 2.4 s (± half).
        env: { DESK_MAILBOX_RETRY_BASE_MS: '300' },
      });
      proxy = await startTcpProxy({ host: desk.dovecot!.host, port: desk.dovecot!.port });
    });
    afterAll(async () => {
      for (const c of consoles) c.socket.disconnect();
      await desk?.close();
      await proxy?.close();
    });

    it('reads a mailbox created through the API within seconds, and shows it connected with nothing waiting', async () => {
      for (const n of [1, 2, 3]) await desk.dovecot!.append('desk', 'INBOX', mail(n, 'ask@riverside.example.org'));
      const started = Date.now();
      const inbox = await desk.createEmailInbox({
        imap: { host: desk.dovecot!.host, port: desk.dovecot!.port, user: 'desk', password: 'desk-secret' },
      });
      const conversations = desk.database.manager.getRepository(Conversation);
      await poll(
        'the three messages to become conversations',
        async () => ((await conversations.countBy({ inboxId: inbox.id })) === 3 ? true : undefined),
        { ms: PICKED_UP_WITHIN_MS, every: 50 },
      );
      expect(Date.now() - started).toBeLessThan(PICKED_UP_WITHIN_MS);

      const view = await poll(
        'the mailbox to report connected with nothing waiting',
        async () => {
          const v = await mailboxOf(inbox.id);
          return v.state === 'connected' && v.waiting === 0 ? v : undefined;
        },
        { ms: 10_000, every: 100 },
      );
      expect(view).toMatchObject({ consecutiveFailures: 0, failingSince: null, lastError: null });
      expect(new Date(view.lastFetchAt!).getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(view.worker).toEqual(expect.stringContaining(`:${process.pid}:`));
      expect(new Date(view.leaseUntil!).getTime()).toBeGreaterThan(Date.now());
      expect(JSON.stringify(view)).not.toContain('desk-secret');
    });

    it('goes retrying then failing on a closed port, tells supervisors and administrators once, and recovers', async () => {
      const admin = await consoleOf(DEMO_ADMIN.email, DEMO_ADMIN.password);
      const supervisor = await consoleOf(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
      const agent = await consoleOf(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
      await proxy.cut(); // the port is closed: every connection is refused
      await desk.dovecot!.append('other', 'INBOX', mail(9, 'other@riverside.example.org'));
      const inbox = await desk.createEmailInbox({
        name: 'Other',
        address: 'other@riverside.example.org',
        imap: { host: '127.0.0.1', port: proxy.port, user: 'other', password: 'other-secret' },
      });

      const retrying = await whenState(inbox.id, 'retrying', PICKED_UP_WITHIN_MS);
      expect(retrying.consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(retrying.consecutiveFailures).toBeLessThan(5);
      expect(retrying.lastError).toMatch(/ECONNREFUSED|refused/i);
      expect(retrying.lastFetchAt).toBeNull();

      const failing = await whenState(inbox.id, 'failing');
      expect(failing.consecutiveFailures).toBeGreaterThanOrEqual(5);
      expect(failing.lastError).toMatch(/ECONNREFUSED|refused/i);
      expect(failing.lastErrorAt).not.toBeNull();
      expect(failing.failingSince).toBe(retrying.failingSince);
      expect(JSON.stringify(failing)).not.toContain('other-secret');

      await eventually(() => healthEvents(admin, inbox.id).length > 0, 'the administrator to hear of it');
      await eventually(() => healthEvents(supervisor, inbox.id).length > 0, 'the supervisor to hear of it');
      expect(healthEvents(admin, inbox.id)).toEqual([
        expect.objectContaining({ state: 'failing', error: expect.stringMatching(/refused/i), consecutiveFailures: 5 }),
      ]);

      await proxy.restore();
      const connected = await whenState(inbox.id, 'connected');
      expect(connected).toMatchObject({ consecutiveFailures: 0, failingSince: null, waiting: 0 });
      // The failure stays on record, with its time, after the recovery.
      expect(connected.lastError).toMatch(/refused/i);
      await eventually(() => healthEvents(admin, inbox.id).length === 2, 'the administrator to hear of the recovery');
      // Once each way, not once per retry; never to an agent.
      expect(healthEvents(admin, inbox.id).map((e) => e.state)).toEqual(['failing', 'connected']);
      expect(healthEvents(supervisor, inbox.id).map((e) => e.state)).toEqual(['failing', 'connected']);
      expect(agent.received.filter(([e]) => e === 'mailbox.health-changed')).toEqual([]);
      expect(await desk.database.manager.getRepository(Conversation).countBy({ inboxId: inbox.id })).toBe(1);
    }, 60_000);

    it('stops reading a mailbox within seconds of its IMAP settings being removed', async () => {
      const inbox = await desk.createEmailInbox({
        name: 'Removed',
        address: 'removed@riverside.example.org',
        imap: { host: desk.dovecot!.host, port: desk.dovecot!.port, user: 'other', password: 'other-secret' },
      });
      await whenState(inbox.id, 'connected', PICKED_UP_WITHIN_MS);
      const started = Date.now();
      await desk.http
        .patch(`/api/v1/inboxes/${inbox.id}/email`)
        .set(await desk.admin())
        .send({ imap: null })
        .expect(200);
      const cursors = desk.database.manager.getRepository(MailboxCursor);
      await poll(
        'the worker to let the mailbox go',
        async () => ((await cursors.findOneByOrFail({ id: inbox.id })).leaseOwner === null ? true : undefined),
        { ms: PICKED_UP_WITHIN_MS, every: 50 },
      );
      expect(Date.now() - started).toBeLessThan(PICKED_UP_WITHIN_MS);
      expect((await mailboxOf(inbox.id)).state).toBe('not_configured');
    });

    it('says stale when the serving worker stopped renewing its lease, unclaimed when none serves it', async () => {
      const inbox = await desk.createEmailInbox({
        name: 'Stale',
        address: 'stale@riverside.example.org',
        imap: { host: desk.dovecot!.host, port: desk.dovecot!.port, user: 'other', password: 'other-secret' },
      });
      await whenState(inbox.id, 'connected', PICKED_UP_WITHIN_MS);
      const cursors = desk.database.manager.getRepository(MailboxCursor);
      await cursors.update({ id: inbox.id }, { leaseUntil: new Date(Date.now() - 1000) });
      expect((await mailboxOf(inbox.id)).state).toBe('stale');
      await cursors.update({ id: inbox.id }, { leaseOwner: null, leaseUntil: null });
      expect((await mailboxOf(inbox.id)).state).toBe('unclaimed');
    });

    const crossProcess = testDialect() === 'postgres' && !!process.env.REDIS_URL;
    (crossProcess ? it : it.skip)(
      'reads a mailbox created in another process within seconds (the settings event travels through Redis)',
      async () => {
        // A stand-in api process: its own event bus and Redis connections, the desk's database.
        @Module({
          imports: [
            PlatformModule.forRoot({
              env: Object.assign(new Environment(), desk.env, { DESK_ROLE: 'api' }),
              dataSource: DeskDataSourceOptions,
            }),
            PersistenceModule,
            ChannelsModule,
          ],
        })
        class ApiRoot {}
        const api: INestApplicationContext = await NestFactory.createApplicationContext(ApiRoot, { logger: false });
        try {
          await api.init();
          await api.get(DatabaseService).connect();
          const { id: libraryId } = await desk.app.get(LibraryDirectory).getBySlug('demo');
          await desk.dovecot!.append('desk', 'INBOX', mail(42, 'elsewhere@riverside.example.org'));
          const started = Date.now();
          const inbox = await api.get(EmailInboxService).create(libraryScope(libraryId), {
            name: 'Elsewhere',
            address: 'elsewhere@riverside.example.org',
            imap: { host: desk.dovecot!.host, port: desk.dovecot!.port, user: 'desk', password: 'desk-secret' },
          });
          await whenState(inbox.id, 'connected', PICKED_UP_WITHIN_MS);
          expect(Date.now() - started).toBeLessThan(PICKED_UP_WITHIN_MS);
        } finally {
          await api.close();
        }
      },
    );
  },
);
