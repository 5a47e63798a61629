import { Injectable } from '@nestjs/common';
import {
  AttachmentService,
  type ChannelAdapter,
  ChannelAdapterFor,
  type Conversation,
  delivered,
  type DeliveryOutcome,
  type Inbox,
  ConversationService,
  type Message,
  type OutboundDelivery,
} from '@readerdesk/conversations';
import { Clock, LibraryScope, NotFoundError } from '@readerdesk/platform';
import { ReaderService } from '@readerdesk/readers';
import type { Readable } from 'node:stream';
import type { SendMailOptions } from 'nodemailer';
import { InboundEmailData, replyAddressOf } from './email-acknowledgement.service';
import { EmailInboxService } from './email-inbox.service';
import { formatMailbox, sanitiseHeaderValue, UnsafeAddressError } from './header-safety';
import {
  describeSmtpFailure,
  OutboundEmailRecord,
  outboundMessageId,
  referencesFor,
  replySubject,
  withSignature,
} from './outbound-email';
import { SmtpTransport, SmtpTransports } from './smtp-transports.service';

/** A reason this message can never leave as it is: it fails at once, without retries. */
class Undeliverable extends Error {}

interface PreparedEmail {
  mail: SendMailOptions;
  record: OutboundEmailRecord;
  transport: SmtpTransport;
}

/**
 * Email's side of the channel port. Email threads only through what the mail names (In-Reply-To,
 * References, the [#number] token, a plus address), never by "the reader's ongoing conversation";
 * and any sender may continue a thread its headers name (ids are unguessable: a colleague in Cc).
 * It delivers through the inbox's SMTP server, threaded (Message-ID = the external id the outbox
 * gave at claim, In-Reply-To = the reader's last email, References = the thread), with the
 * attachments streamed from storage: a 4xx answer or a network failure is to be tried again; a 5xx
 * answer or a configuration the message cannot leave with fails it with the server's answer.
 */
@Injectable()
@ChannelAdapterFor('email')
export class EmailChannelAdapter implements ChannelAdapter {
  readonly threading = { continuesOngoing: false, anySenderMayName: true };

  constructor(
    private readonly clock: Clock,
    private readonly transports: SmtpTransports,
    private readonly emailInboxes: EmailInboxService,
    private readonly conversations: ConversationService,
    private readonly attachments: AttachmentService,
    private readonly readers: ReaderService,
  ) {}

  /** The Message-ID, given at claim and kept across retries, so that replies to it thread back. */
  outboundExternalId(inbox: Inbox): string {
    return outboundMessageId(this.emailInboxes.settingsOf(inbox).address);
  }

  async deliver({ scope, inbox, conversation, message }: OutboundDelivery): Promise<DeliveryOutcome> {
    let files: Readable[] = [];
    try {
      const prepared = await this.prepare(scope, inbox, message, conversation);
      const opened = await this.openAttachments(scope, message);
      files = opened.streams;
      const info = await prepared.transport.sendMail({ ...prepared.mail, attachments: opened.attachments });
      const response = info.response ? sanitiseHeaderValue(String(info.response), 500) : null;
      return delivered.sent(undefined, { ...prepared.record, response });
    } catch (error) {
      if (error instanceof Undeliverable) return delivered.failed(error.message);
      const failure = describeSmtpFailure(error);
      return failure.permanent ? delivered.failed(failure.message) : delivered.retry(failure.message);
    } finally {
      for (const file of files) file.destroy();
    }
  }

  /** Headers and body of the message, or Undeliverable when it can never leave as it is. */
  private async prepare(
    scope: LibraryScope,
    inbox: Inbox,
    message: Message,
    conversation: Conversation,
  ): Promise<PreparedEmail> {
    const { settings, secrets } = this.emailInboxes.config(inbox);
    if (!settings.smtp) {
      throw new Undeliverable(
        `The inbox ${settings.address} has no outgoing mail (SMTP) settings, so the reply cannot be sent; ` +
          'configure SMTP for the inbox and send it again',
      );
    }
    if (!message.externalId) throw new Undeliverable('The message has no Message-ID; the outbox did not claim it');
    const timeline = await this.conversations.messagesOf(scope, conversation.id);
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
    const handle = (await this.readers.handlesOf(scope, conversation.readerId)).find(
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
}
