import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { Clock, Environment } from '@readerdesk/platform';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';
import { EmailIngestService, type EmailIngestOutcome } from './email-ingest.service';
import { scanHeaderBlock } from './header-block';
import { recipientCandidates } from './smtp-recipient';

// RFC 5321 (4.5.3.1.8) has a server take at least 100 recipients per message.
const MAX_RECIPIENTS = 100;
const MAX_CLIENTS = 100;
// Guessing addresses one RCPT at a time is how directories get harvested; a relay that really
// has this many unknown recipients in one session is misconfigured and may retry later.
const MAX_UNKNOWN_RECIPIENTS = 20;
// RFC 5321 allows 512 octets per command; SMTPUTF8 addresses and ESMTP parameters need more.
const MAX_COMMAND_LENGTH = 2048;
// Shorter than the 5 minutes of RFC 5321 (4.5.3.2.7): relays send promptly, and a slot an idle peer
// holds is one another sender lacks. It only counts while the client owes input, never while the
// desk is still storing a message.
const SOCKET_TIMEOUT_MS = 2 * 60 * 1000;

type Reply = { error: Error } | { message: string };

/** An error smtp-server turns into a reply; with ENHANCEDSTATUSCODES on it adds the class (550 → 5.1.1). */
function smtpError(responseCode: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode });
}

/**
 * The message with the envelope sender on top, as RFC 5321 (4.4) has the delivering server record
 * it: `<>` marks bounces and auto-replies, which loop prevention reads. Deterministic for a given
 * delivery, so a retried message without a Message-ID keeps the same synthetic one. Bytes without
 * any header field are left as they are, for ingestion to refuse as unreadable.
 */
function withReturnPath(data: Buffer, mailFrom: SMTPServerAddress | false): Buffer {
  const block = scanHeaderBlock(data);
  if (!block.fields.some((field) => field.key !== '')) return data;
  const address = mailFrom ? mailFrom.address.replace(/[\p{Cc}<>\s]/gu, '') : '';
  // Below what the parser skips (a byte-order mark, leading blank lines): above them, a blank line would end the header.
  const line = Buffer.from(`Return-Path: <${address}>\r\n`, 'utf8');
  return Buffer.concat([data.subarray(0, block.start), line, data.subarray(block.start)]);
}

/**
 * The inbound SMTP listener: a library points its MX or a forwarding relay at the desk, and mail
 * for the address of an email inbox (or a plus address of it) becomes a conversation. No AUTH (a
 * delivery target, not a submission server); STARTTLS only with a configured certificate; every
 * other recipient is refused at RCPT with 550, so the sending server bounces it, not the desk.
 *
 * A message is answered 250 only once it is stored (or deliberately dropped: machine mail about
 * nothing the desk holds, per RFC 3834); a failure to store answers 451 so the relay retries, which
 * ingestion's idempotency on the Message-ID makes harmless.
 */
@Injectable()
export class SmtpInboundServer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('SmtpInbound');
  private readonly unknownRecipients = new WeakMap<SMTPServerSession, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private server?: SMTPServer;
  private stopping?: Promise<void>;

  constructor(
    private readonly env: Environment,
    private readonly clock: Clock,
    private readonly inboxes: InboxService,
    private readonly emails: EmailIngestService,
  ) {}

  /** The port the listener is bound to (the ephemeral one for DESK_SMTP_PORT=0), or null when it is off. */
  get port(): number | null {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.DESK_SMTP_PORT === undefined) return;
    const name = this.env.DESK_SMTP_HOSTNAME ?? hostname();
    const tls = this.tlsOptions();
    const server = new SMTPServer({
      ...tls,
      name,
      banner: 'ReaderDesk',
      size: this.env.DESK_SMTP_MAX_BYTES,
      // A message over the limit is answered 552 5.3.4 naming it, whatever onData says.
      rejectOversized: true,
      hideENHANCEDSTATUSCODES: false,
      // Without a certificate of our own, smtp-server would offer STARTTLS with its published test key.
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      maxClients: MAX_CLIENTS,
      maxRecipients: MAX_RECIPIENTS,
      maxCommandLength: MAX_COMMAND_LENGTH,
      socketTimeout: SOCKET_TIMEOUT_MS,
      closeTimeout: this.env.SHUTDOWN_GRACE_MS,
      // Nothing here uses the client's host name, and a slow resolver would delay every greeting.
      disableReverseLookup: true,
      // Logs go through Nest's logger below; smtp-server's own would print every command.
      logger: false,
      onRcptTo: (address, session, callback) => {
        this.acceptRecipient(address, session).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      },
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    });
    server.on('error', (error: Error & { remoteAddress?: string }) => {
      this.logger.warn(
        `connection error${error.remoteAddress ? ` from ${error.remoteAddress}` : ''}: ${error.message}`,
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.env.DESK_SMTP_PORT, this.env.DESK_SMTP_HOST, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(
      `listening for mail on ${this.env.DESK_SMTP_HOST}:${this.port} as ${name}` +
        `${tls ? ' (STARTTLS offered)' : ''}, messages up to ${this.env.DESK_SMTP_MAX_BYTES} bytes`,
    );
  }

  /**
   * Before the database closes (onApplicationShutdown): stop accepting connections, let messages
   * already being received be stored within the grace period, then end the other sessions with 421
   * (a relay retries those later).
   */
  beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  onApplicationShutdown(): Promise<void> {
    return this.beforeApplicationShutdown();
  }

  private async drain(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.env.SHUTDOWN_GRACE_MS)));
    if (this.inFlight.size > 0) this.logger.log(`waiting for ${this.inFlight.size} message(s) being received`);
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    // Idle sessions would otherwise hold the shutdown for the whole grace period.
    for (const connection of server.connections) connection.send(421, 'Shutting down, try again later');
    await closed;
  }

  private tlsOptions(): Pick<SMTPServerOptions, 'key' | 'cert' | 'minVersion'> | null {
    const { DESK_SMTP_TLS_CERT: certFile, DESK_SMTP_TLS_KEY: keyFile } = this.env;
    if (!certFile || !keyFile) return null;
    // Read at boot, so that a wrong path stops the worker instead of failing each STARTTLS.
    return { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' };
  }

  private async acceptRecipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    let inbox: Inbox | null;
    try {
      inbox = await this.inboxFor(address.address);
    } catch (error) {
      this.logger.error(`cannot look up recipient ${address.address}: ${(error as Error).message}`);
      throw smtpError(451, 'Cannot look up recipients right now, try again later');
    }
    if (inbox) return;
    const unknown = (this.unknownRecipients.get(session) ?? 0) + 1;
    this.unknownRecipients.set(session, unknown);
    this.logger.log(`refused recipient ${address.address} from ${session.remoteAddress}`);
    if (unknown > MAX_UNKNOWN_RECIPIENTS) throw smtpError(421, 'Too many unknown recipients, closing connection');
    throw smtpError(550, `No such recipient here: ${address.address} is not an inbox of this desk`);
  }

  /** The email inbox an SMTP recipient names, directly or by a plus address; null for anyone else. */
  private async inboxFor(address: string): Promise<Inbox | null> {
    for (const candidate of recipientCandidates(address)) {
      const inbox = await this.inboxes.findByAddress(candidate);
      if (inbox?.channel === 'email') return inbox;
    }
    return null;
  }

  private receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null, message?: string) => void,
  ): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let release!: () => void;
    const tracked = new Promise<void>((resolve) => (release = resolve));
    this.inFlight.add(tracked);
    let answered = false;
    const answer = (reply: Reply): void => {
      if (answered) return;
      answered = true;
      this.inFlight.delete(tracked);
      release();
      if ('error' in reply) callback(reply.error);
      else callback(null, reply.message);
    };
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // Past the limit the rest is only counted: smtp-server answers 552 once the client is done.
      if (bytes <= this.env.DESK_SMTP_MAX_BYTES) chunks.push(chunk);
    });
    // The client went away mid-message; there is nobody left to answer, only the slot to free.
    stream.once('error', (error) => answer({ error }));
    stream.once('end', () => {
      if (stream.sizeExceeded) {
        this.logger.log(`refused a message of ${bytes} bytes from ${session.remoteAddress}: over the limit`);
        answer({ error: smtpError(552, `Message too big, the limit is ${this.env.DESK_SMTP_MAX_BYTES} bytes`) });
        return;
      }
      const raw = withReturnPath(Buffer.concat(chunks), session.envelope.mailFrom);
      this.deliver(session, raw).then(answer, (error: Error) => {
        this.logger.error(`could not store a message from ${session.remoteAddress}: ${error.stack ?? error.message}`);
        answer({ error: smtpError(451, 'Temporary failure storing the message, try again later') });
      });
    });
  }

  /** Ingests the message once per inbox among its recipients (two addresses of one inbox are one). */
  private async deliver(session: SMTPServerSession, raw: Buffer): Promise<Reply> {
    const inboxes = new Map<string, Inbox>();
    for (const recipient of session.envelope.rcptTo) {
      const inbox = await this.inboxFor(recipient.address);
      if (inbox) inboxes.set(inbox.id, inbox);
    }
    if (inboxes.size === 0) {
      return { error: smtpError(550, 'None of the recipients is an inbox of this desk any longer') };
    }
    const receivedAt = this.clock.now();
    const outcomes: EmailIngestOutcome[] = [];
    for (const inbox of inboxes.values()) outcomes.push(await this.emails.ingestRaw(inbox, raw, 'smtp', receivedAt));
    this.logger.debug(
      `message from ${session.remoteAddress} for ${[...inboxes.keys()].join(', ')}: ${outcomes.map((o) => o.kind).join(', ')}`,
    );
    // Unreadable is a property of the bytes, so it is the same for every inbox; refuse it to the sender.
    const unreadable = outcomes.find((o) => o.kind === 'unreadable');
    if (unreadable && outcomes.every((o) => o.kind === 'unreadable')) {
      return { error: smtpError(554, `Message not readable as email: ${unreadable.message}`) };
    }
    if (outcomes.every((o) => o.kind === 'held')) {
      return { message: 'Accepted and held for staff: it opens no conversation by itself' };
    }
    return { message: `Accepted for ${inboxes.size} inbox${inboxes.size === 1 ? '' : 'es'}` };
  }
}
