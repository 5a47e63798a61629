import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  AttachmentService,
  Conversation,
  ConversationRepository,
  InboxRepository,
  Message,
  MessageDelivery,
  MessageDeliveryChanged,
  MessageRepository,
} from '@readerdesk/conversations';
import {
  Clock,
  DatabaseService,
  Environment,
  EventBus,
  JobHandler,
  LibraryScope,
  libraryScope,
  NotFoundError,
  QueueService,
} from '@readerdesk/platform';
import { ReaderHandleRepository } from '@readerdesk/readers';
import type { JobContext } from '@readerdesk/platform';
import type { Readable } from 'node:stream';
import type { SendMailOptions } from 'nodemailer';
import { InboundEmailData, replyAddressOf } from './email-acknowledgement.service';
import { EmailInboxService } from './email-inbox.service';
import { SendEmailJob, SweepEmailOutboxJob } from './email-outbox.jobs';
import { EmailOutbox } from './email-outbox.service';
import { formatMailbox, sanitiseHeaderValue, UnsafeAddressError } from './header-safety';
import {
  describeSmtpFailure,
  OutboundEmailRecord,
  referencesFor,
  replySubject,
  SmtpFailure,
  withSignature,
} from './outbound-email';
import { SmtpTransport, SmtpTransports } from './smtp-transports.service';

/** How often the worker looks for outbound email the queue lost. */
export const OUTBOX_SWEEP_EVERY_MS = 5 * 60 * 1000;

/** A reason this message can never leave as it is: it fails at once, without retries. */
class Undeliverable extends Error {}

interface PreparedEmail {
  mail: SendMailOptions;
  record: OutboundEmailRecord;
  transport: SmtpTransport;
}

/**
 * The worker side of the outbox: sends one queued message through its inbox's SMTP server,
 * threaded (Message-ID = the stored external id, In-Reply-To = the reader's last email, References =
 * the thread), with its attachments streamed from storage. A 4xx answer or a network failure is
 * tried again with backoff (the attempts are counted in the database, so a restart does not reset
 * them); a 5xx answer, a configuration the message cannot leave with, or the last failed attempt
 * marks it failed with the server's answer. Every change of state is published for the consoles.
 */
@Injectable()
export class EmailSenderProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('EmailSender');

  constructor(
    private readonly env: Environment,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: QueueService,
    private readonly outbox: EmailOutbox,
    private readonly transports: SmtpTransports,
    private readonly emailInboxes: EmailInboxService,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly attachments: AttachmentService,
    private readonly handles: ReaderHandleRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    // Once at start (whatever a restart left queued) and then on a schedule the queue shares between workers.
    void Promise.all([
      this.queue.schedule(SweepEmailOutboxJob, 'email-outbox-sweep', {}, { everyMs: OUTBOX_SWEEP_EVERY_MS }),
      this.queue.add(SweepEmailOutboxJob, {}, { jobId: 'email-outbox-sweep-at-start' }),
    ]).catch((error: unknown) => this.logger.error(`could not schedule the outbox sweep: ${String(error)}`));
  }

  @JobHandler(SweepEmailOutboxJob)
  async sweep(): Promise<void> {
    const found = await this.outbox.sweep();
    if (found > 0) this.logger.log(`outbox sweep: ${found} outbound email(s) (re)enqueued`);
  }

  @JobHandler(SendEmailJob)
  async send(payload: { libraryId: string; messageId: string }, context: JobContext): Promise<void> {
    const scope = libraryScope(payload.libraryId);
    const message = await this.messages.findById(scope, payload.messageId);
    // Sent or failed already (a sweep re-enqueued it meanwhile), or gone: nothing to do.
    if (!message || message.kind !== 'outbound' || message.deliveryStatus !== 'queued') return;
    const conversation = await this.conversations.getById(scope, message.conversationId);
    const previous = (message.data.delivery as MessageDelivery | undefined)?.attempts ?? 0;
    const attempt = previous + 1;
    const max = this.env.DESK_EMAIL_SEND_ATTEMPTS;

    let prepared: PreparedEmail;
    let files: Readable[] = [];
    try {
      prepared = await this.prepare(scope, message, conversation);
      const opened = await this.openAttachments(scope, message);
      files = opened.streams;
      const info = await prepared.transport.sendMail({ ...prepared.mail, attachments: opened.attachments });
      prepared.record.response = info.response ? sanitiseHeaderValue(String(info.response), 500) : null;
    } catch (error) {
      const failure: SmtpFailure =
        error instanceof Undeliverable ? { permanent: true, message: error.message } : describeSmtpFailure(error);
      if (failure.permanent || attempt >= max) {
        const why = failure.permanent ? failure.message : `gave up after ${attempt} attempts: ${failure.message}`;
        this.logger.warn(`message ${message.id} failed (attempt ${attempt}, job try ${context.attempt}): ${why}`);
        await this.record(scope, message, conversation, { status: 'failed', attempts: attempt, error: why });
        return;
      }
      await this.record(scope, message, conversation, {
        status: 'queued',
        attempts: attempt,
        error: `attempt ${attempt} of ${max} failed, will try again: ${failure.message}`,
      });
      // Thrown so that the queue tries again after its backoff.
      throw new Error(failure.message);
    } finally {
      for (const file of files) file.destroy();
    }
    await this.record(
      scope,
      message,
      conversation,
      { status: 'sent', attempts: attempt, error: null },
      prepared.record,
    );
  }

  /** Headers and body of the message, or Undeliverable when it can never leave as it is. */
  private async prepare(scope: LibraryScope, message: Message, conversation: Conversation): Promise<PreparedEmail> {
    const inbox = await this.inboxes.getById(scope, conversation.inboxId);
    const { settings, secrets } = this.emailInboxes.config(inbox);
    if (!settings.smtp) {
      throw new Undeliverable(
        `The inbox ${settings.address} has no outgoing mail (SMTP) settings, so the reply cannot be sent; ` +
          'configure SMTP for the inbox and send it again',
      );
    }
    if (!message.externalId) throw new Undeliverable('The message has no Message-ID; the outbox did not claim it');
    const timeline = await this.messages.timeline(scope, conversation.id);
    const position = timeline.findIndex((m) => m.id === message.id);
    const earlier = position >= 0 ? timeline.slice(0, position) : timeline;
    // The reader's own mail, never an auto-reply or bounce recorded on the conversation.
    const personal = (m: Message): boolean =>
      m.kind === 'inbound' && (m.data.email as InboundEmailData | undefined)?.category === 'personal';
    const lastInbound = [...earlier].reverse().find(personal);
    const inboundEmail = lastInbound?.data.email as InboundEmailData | undefined;
    const recipient = replyAddressOf(inboundEmail) ?? (await this.readerAddress(scope, conversation));
    if (!recipient) throw new Undeliverable('The reader has no email address to send the reply to');

    const from = { name: sanitiseHeaderValue(settings.fromName ?? '', 200), address: settings.address };
    const to = { name: sanitiseHeaderValue(recipient.name ?? '', 200), address: recipient.address };
    try {
      // Refuses an address that would need quoting or could end the header line.
      formatMailbox(from);
      formatMailbox(to);
    } catch (error) {
      if (error instanceof UnsafeAddressError) throw new Undeliverable(error.message);
      throw error;
    }
    const references = referencesFor([
      ...(inboundEmail?.references ?? []),
      ...earlier
        .filter((m) => personal(m) || (m.kind === 'outbound' && m.deliveryStatus !== 'failed'))
        .map((m) => m.externalId),
    ]);
    const inReplyTo = lastInbound?.externalId ?? null;
    const subject = replySubject(conversation.subject, conversation.number);
    const acknowledgement = message.data.acknowledgement === true;
    const mail: SendMailOptions = {
      // Name and address apart: nodemailer encodes the name itself, and would quote words already encoded.
      from,
      to,
      // The only recipient whatever the headers say: nothing in a header can add one.
      envelope: { from: settings.address, to: [to.address] },
      subject,
      messageId: message.externalId,
      inReplyTo: inReplyTo ?? undefined,
      references: references.length > 0 ? references : undefined,
      date: this.clock.now(),
      text: withSignature(message.text ?? '', settings.signature),
      // RFC 3834: automatic replies say so, and Exchange is asked not to auto-reply to them in turn.
      headers: acknowledgement ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : undefined,
    };
    return {
      mail,
      record: { messageId: message.externalId, from, to: [to], subject, inReplyTo, references, response: null },
      transport: this.transports.for(inbox.id, settings.smtp, secrets.smtpPassword),
    };
  }

  /** The reader's first email handle, when no email of theirs is on the conversation. */
  private async readerAddress(
    scope: LibraryScope,
    conversation: Conversation,
  ): Promise<{ name: string; address: string } | null> {
    const handle = (await this.handles.forReader(scope, conversation.readerId)).find(
      (h) => h.kind === 'email' && h.valid,
    );
    return handle ? { name: '', address: handle.value } : null;
  }

  private async openAttachments(
    scope: LibraryScope,
    message: Message,
  ): Promise<{ streams: Readable[]; attachments: NonNullable<SendMailOptions['attachments']> }> {
    const rows = await this.attachments.ofMessages(scope, [message.id]);
    const streams: Readable[] = [];
    const attachments: NonNullable<SendMailOptions['attachments']> = [];
    try {
      for (const row of rows) {
        const stream = await this.attachments.open(row).catch((error: unknown) => {
          if (error instanceof NotFoundError) {
            throw new Undeliverable(`The attachment ${row.filename} is missing from storage`);
          }
          throw error;
        });
        streams.push(stream);
        attachments.push({
          filename: row.filename,
          contentType: row.contentType,
          content: stream,
          contentDisposition: row.inline ? 'inline' : 'attachment',
          cid: row.contentId ?? undefined,
        });
      }
    } catch (error) {
      for (const stream of streams) stream.destroy();
      throw error;
    }
    return { streams, attachments };
  }

  private async record(
    scope: LibraryScope,
    message: Message,
    conversation: Conversation,
    state: Omit<MessageDelivery, 'at'>,
    email?: OutboundEmailRecord,
  ): Promise<void> {
    const delivery: MessageDelivery = { ...state, at: this.clock.now().toISOString() };
    const base = email ? { ...message, data: { ...message.data, email } } : message;
    await this.db.transaction(async () => {
      await this.messages.setDelivery(scope, base, delivery);
      this.events.publish(MessageDeliveryChanged, {
        libraryId: scope.libraryId,
        conversationId: conversation.id,
        messageId: message.id,
        departmentId: conversation.departmentId,
        delivery,
      });
    });
  }
}
