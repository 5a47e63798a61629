import { Inbox } from '@readerdesk/conversations';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { type DovecotUser, startDovecot, type TestDovecot } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createTestApp, TestApp } from './test-app';

/** One DATA the relay received, with its envelope. */
export interface RelayedMail {
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
}

/**
 * What the relay does with a message: resolving accepts it (250); throwing refuses it, with the
 * error's `responseCode` (451, 550…) when it has one.
 */
export type RelayHandler = (mail: RelayedMail) => Promise<void> | void;

/** An SMTP receiver on loopback standing in for the library's mail server (outbound replies go to it). */
export interface TestRelay {
  port: number;
  /** The `smtp` settings of an email inbox that sends through this relay. */
  smtp: { host: string; port: number };
  close(): Promise<void>;
}

export async function startRelay(handle: RelayHandler = () => undefined): Promise<TestRelay> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail: RelayedMail = {
          raw: Buffer.concat(chunks),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        Promise.resolve()
          .then(() => handle(mail))
          .then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    smtp: { host: '127.0.0.1', port },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `POST /api/v1/inboxes/email` body; name and address default to the library's "Ask a Librarian". */
export type EmailInboxRequest = Record<string, unknown> & { name?: string; address?: string };

export const ASK_ADDRESS = 'ask@riverside.example.org';

export interface EmailTestDesk extends TestApp {
  /** The relay, when the desk was built `.withRelay()`. */
  relay: TestRelay | undefined;
  /** The IMAP server, when the desk was built `.withDovecot()`. */
  dovecot: TestDovecot | undefined;
  /** The demo administrator's Authorization header (signed in once, on first use). */
  admin(): Promise<{ Authorization: string }>;
  /** An email inbox created by the administrator through the API, as the stored row. */
  createEmailInbox(request?: EmailInboxRequest): Promise<Inbox>;
}

/**
 * The desk of the email e2e tests: optionally a Dovecot IMAP server and an SMTP relay, started
 * before the desk, and email inboxes an administrator creates through the API. `close()` stops them
 * all, the desk first.
 */
export class EmailTestDeskBuilder {
  private env: Record<string, string | undefined> = {};
  private relayHandler: RelayHandler | undefined;
  private dovecotUsers: DovecotUser[] | undefined;
  private readonly inboxes: Array<EmailInboxRequest | ((desk: EmailTestDesk) => EmailInboxRequest)> = [];

  /** Environment entries of the desk (see createTestApp). */
  withEnv(env: Record<string, string | undefined>): this {
    this.env = { ...this.env, ...env };
    return this;
  }

  withRelay(handle: RelayHandler = () => undefined): this {
    this.relayHandler = handle;
    return this;
  }

  withDovecot(users: DovecotUser[] = [{ user: 'desk', password: 'desk-secret' }]): this {
    this.dovecotUsers = users;
    return this;
  }

  /**
   * An inbox created once the desk runs, in the order asked; `start()` returns them in `inboxes`.
   * Settings that name the relay or Dovecot (their ports are known only then) come from a function of the desk.
   */
  withEmailInbox(request: EmailInboxRequest | ((desk: EmailTestDesk) => EmailInboxRequest) = {}): this {
    this.inboxes.push(request);
    return this;
  }

  async start(): Promise<{ desk: EmailTestDesk; inboxes: Inbox[] }> {
    const desk = await createEmailTestDesk({ env: this.env, relay: this.relayHandler, dovecot: this.dovecotUsers });
    const inboxes: Inbox[] = [];
    try {
      for (const request of this.inboxes)
        inboxes.push(await desk.createEmailInbox(typeof request === 'function' ? request(desk) : request));
    } catch (error) {
      await desk.close();
      throw error;
    }
    return { desk, inboxes };
  }
}

export async function createEmailTestDesk(
  options: { env?: Record<string, string | undefined>; relay?: RelayHandler; dovecot?: DovecotUser[] } = {},
): Promise<EmailTestDesk> {
  const dovecot = options.dovecot ? await startDovecot(options.dovecot) : undefined;
  let relay: TestRelay | undefined;
  let app: TestApp | undefined;
  try {
    relay = options.relay ? await startRelay(options.relay) : undefined;
    app = await createTestApp(options.env);
  } catch (error) {
    await relay?.close();
    await dovecot?.stop();
    throw error;
  }
  const desk: TestApp = app;
  let admin: Promise<{ Authorization: string }> | undefined;
  const signInAdmin = () => (admin ??= desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password));
  return {
    ...desk,
    relay,
    dovecot,
    admin: signInAdmin,
    createEmailInbox: async (request = {}) => {
      const created = await desk.http
        .post('/api/v1/inboxes/email')
        .set(await signInAdmin())
        .send({ name: 'Ask a Librarian', address: ASK_ADDRESS, ...request })
        .expect(201);
      return desk.database.manager.getRepository(Inbox).findOneByOrFail({ id: created.body.id as string });
    },
    close: async () => {
      await desk.close();
      await relay?.close();
      await dovecot?.stop();
    },
  };
}

/** Polls `get` until it gives a value, or fails after `ms` naming `what`. */
export async function poll<T>(
  what: string,
  get: () => Promise<T | undefined>,
  options: { ms?: number; every?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.ms ?? 20_000);
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 100));
  }
}
