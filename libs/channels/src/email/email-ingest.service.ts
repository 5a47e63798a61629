import { Injectable, Logger } from '@nestjs/common';
import { Conversation, ConversationService, Inbox, IngestionService, OutboxService } from '@readerdesk/conversations';
import {
  BlobStorage,
  Clock,
  Environment,
  isUniqueViolation,
  LibraryScope,
  libraryScope,
  MetricsService,
  newRowId,
} from '@readerdesk/platform';
import { IdentityService, ReaderService } from '@readerdesk/readers';
import { EmailInboxService } from './email-inbox.service';
import { EmailParseError } from './email-parse-error';
import { parseInboundEmail } from './inbound-email-parser';
import type { ParsedEmail } from './parsed-email';
import type { UnprocessedMail, UnprocessedReason } from './unprocessed-mail.entity';
import { UnprocessedMailRepository } from './unprocessed-mail.repository';

export type EmailSource = 'imap' | 'smtp';

/** What became of one raw email. Every outcome is final: the caller may drop or flag the source. */
export type EmailIngestOutcome =
  | { kind: 'stored'; conversationId: string; messageId: string; conversationCreated: boolean; duplicate: boolean }
  /** Machine mail (auto-reply, list, abuse report, bounce) recorded silently on the conversation it concerns. */
  | { kind: 'recorded'; category: string; conversationId: string; messageId: string; duplicate: boolean }
  /**
   * Kept in the inbox's list of unprocessed mail for staff, opening no conversation and never answered:
   * no usable sender, unsure whether a machine wrote it, or machine mail about nothing the inbox sent
   * or holds (RFC 3834). `duplicate` when that list had it already (an IMAP refetch, an SMTP retry).
   */
  | {
      kind: 'held';
      reason: UnprocessedReason;
      category: string;
      detail: string;
      unprocessedId: string;
      duplicate: boolean;
    }
  /** Not readable as email at all (empty, over the size limit, no header): left where it came from. */
  | { kind: 'unreadable'; code: string; message: string };

/** The `outcome` label of readerdesk_inbound_email_total. */
function metricLabel(outcome: EmailIngestOutcome): string {
  if ((outcome.kind === 'stored' || outcome.kind === 'held') && outcome.duplicate) return 'duplicate';
  if (outcome.kind === 'recorded') return outcome.category;
  if (outcome.kind === 'held') return `held-${outcome.reason.replace(/_/g, '-')}`;
  return outcome.kind;
}

/** How a held message is turned into a conversation on a member of staff's word. */
export interface EmailConversion {
  unprocessedId: string;
  /** The reader's address when the mail has no sender (or staff name another). */
  readerAddress: string | null;
}

/**
 * Turns one raw email into a conversation message: parse, classify (RFC 3834 loop prevention),
 * thread (In-Reply-To/References against inbound and outbound Message-IDs, then the [#number]
 * token or plus address when the sender is the conversation's reader), and hand to the one
 * ingestion entry point, idempotent on the Message-ID. Bounces mark the outbound message failed.
 * What may open no conversation by itself is held in the inbox's list of unprocessed mail instead.
 */
@Injectable()
export class EmailIngestService {
  private readonly logger = new Logger('EmailIngest');

  constructor(
    private readonly env: Environment,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly inboxes: EmailInboxService,
    private readonly ingestion: IngestionService,
    private readonly conversations: ConversationService,
    private readonly outbox: OutboxService,
    private readonly identity: IdentityService,
    private readonly readers: ReaderService,
    private readonly unprocessed: UnprocessedMailRepository,
    private readonly storage: BlobStorage,
  ) {}

  async ingestRaw(inbox: Inbox, raw: Buffer, source: EmailSource, receivedAt?: Date): Promise<EmailIngestOutcome> {
    const outcome = await this.ingestOrExplain(inbox, raw, receivedAt);
    this.metrics.inboundEmail.inc({ outcome: metricLabel(outcome), source });
    if (outcome.kind === 'held' && !outcome.duplicate) {
      this.logger.log(`inbox ${inbox.id}: held as ${outcome.reason} (${outcome.category}: ${outcome.detail})`);
    } else if (outcome.kind === 'unreadable') {
      this.logger.log(`inbox ${inbox.id}: unreadable (${outcome.message})`);
    }
    return outcome;
  }

  /**
   * Ingests a held message as personal mail because a member of staff said so: it opens or continues
   * a conversation like any reader's mail, is marked with the unprocessed mail's id, and is never
   * acknowledged (staff took it on; its sender may be a machine). Idempotent on the Message-ID.
   */
  async convertHeld(
    inbox: Inbox,
    raw: Buffer,
    receivedAt: Date,
    conversion: EmailConversion,
  ): Promise<Extract<EmailIngestOutcome, { kind: 'stored' }>> {
    const outcome = await this.ingestOrExplain(inbox, raw, receivedAt, conversion);
    if (outcome.kind !== 'stored') throw new Error(`a held message could not be converted: ${outcome.kind}`);
    this.metrics.inboundEmail.inc({ outcome: 'converted', source: 'unprocessed' });
    return outcome;
  }

  private async ingestOrExplain(
    inbox: Inbox,
    raw: Buffer,
    receivedAt?: Date,
    conversion?: EmailConversion,
  ): Promise<EmailIngestOutcome> {
    const scope = libraryScope(inbox.libraryId);
    const settings = this.inboxes.settingsOf(inbox);
    let mail: ParsedEmail;
    try {
      mail = await parseInboundEmail(raw, {
        now: receivedAt ?? this.clock.now(),
        maxAttachmentBytes: this.env.DESK_ATTACHMENT_MAX_BYTES,
        deskAddresses: [settings.address],
      });
    } catch (error) {
      if (error instanceof EmailParseError) return { kind: 'unreadable', code: error.code, message: error.message };
      throw error;
    }
    // A conversion is staff's word that this is a reader's mail, whatever the classifier thought.
    const personal = conversion ? true : mail.category === 'personal';
    const concerning = mail.bounce?.originalMessageId ?? mail.abuseReport?.originalMessageId ?? null;
    const conversation = await this.thread(scope, inbox, mail, concerning);
    const sender = conversion?.readerAddress ?? mail.from?.address ?? (mail.returnPath || null);
    if (!conversion) {
      const received = receivedAt ?? this.clock.now();
      if (!personal && !conversation) {
        const detail = `${mail.categoryReason}; it concerns nothing this inbox sent or holds`;
        return this.hold(scope, inbox, raw, mail, received, 'automatic', detail);
      }
      if (personal && !sender) {
        return this.hold(scope, inbox, raw, mail, received, 'no_sender', 'no From address and no envelope sender');
      }
      // Unsure whether a machine wrote it: it opens nothing by itself (an acknowledgement to a machine
      // could loop), but it may still continue a conversation its headers name.
      if (mail.suspectedAutomatic && !conversation) {
        return this.hold(scope, inbox, raw, mail, received, 'suspected_automatic', mail.categoryReason);
      }
    }
    if (conversion && !sender) throw new Error('a conversion needs a reader address'); // the caller checks first
    const result = await this.ingestion.ingest(scope, {
      inboxId: inbox.id,
      channel: 'email',
      externalId: mail.messageId,
      handles: sender ? [{ kind: 'email', value: sender }] : [],
      // A name from the header belongs to the header's address, not to one staff named instead.
      displayName: (sender?.toLowerCase() === mail.from?.address.toLowerCase() && mail.from?.name) || null,
      subject: mail.subject || null,
      text: mail.text || (mail.html ? null : '(no text)'),
      html: mail.html,
      // When the desk got it, not the sender's Date header: a wrong clock must not reorder the timeline.
      receivedAt: receivedAt ?? this.clock.now(),
      conversationId: conversation?.id ?? null,
      silent: !personal,
      attachments: mail.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        contentId: a.contentId,
        inline: a.inline,
      })),
      droppedAttachments: mail.droppedAttachments.map((d) => ({
        filename: d.filename,
        contentType: d.contentType,
        size: d.size,
        reason:
          d.reason === 'too_large' ? `larger than ${this.env.DESK_ATTACHMENT_MAX_BYTES} bytes` : 'too many attachments',
      })),
      data: {
        email: {
          messageId: mail.messageId,
          date: mail.date.toISOString(),
          from: mail.from,
          to: mail.to,
          cc: mail.cc,
          replyTo: mail.replyTo,
          inReplyTo: mail.inReplyTo,
          references: mail.references.slice(-50),
          category: mail.category,
          categoryReason: mail.categoryReason,
          suspectedAutomatic: mail.suspectedAutomatic,
          ...(conversion ? { unprocessedMailId: conversion.unprocessedId } : {}),
          newText: mail.newText,
          quotedText: mail.quotedText,
          signature: mail.signature,
          warnings: mail.warnings,
          bounce: mail.bounce,
          abuseReport: mail.abuseReport,
        },
      },
    });
    if (mail.bounce && conversation && !result.duplicate) await this.markBounced(scope, inbox, mail);
    if (!personal) {
      return {
        kind: 'recorded',
        category: mail.category,
        conversationId: result.conversation.id,
        messageId: result.message.id,
        duplicate: result.duplicate,
      };
    }
    return {
      kind: 'stored',
      conversationId: result.conversation.id,
      messageId: result.message.id,
      conversationCreated: result.conversationCreated,
      duplicate: result.duplicate,
    };
  }

  /**
   * Keeps the message in the inbox's list of unprocessed mail, raw bytes in BlobStorage (the size of
   * a whole message, up to the SMTP limit, does not belong in a database row). Once per Message-ID:
   * a refetch or retry finds the row; when two copies race, the loser removes its bytes again.
   */
  private async hold(
    scope: LibraryScope,
    inbox: Inbox,
    raw: Buffer,
    mail: ParsedEmail,
    receivedAt: Date,
    reason: UnprocessedReason,
    detail: string,
  ): Promise<EmailIngestOutcome> {
    const held = (row: UnprocessedMail, duplicate: boolean): EmailIngestOutcome => ({
      kind: 'held',
      reason: row.reason,
      category: row.category,
      detail: row.reasonText,
      unprocessedId: row.id,
      duplicate,
    });
    const known = await this.unprocessed.findByMessageId(scope, inbox.id, mail.messageId);
    if (known) return held(known, true);
    const id = newRowId();
    const blob = await this.storage.put(`${scope.libraryId}/unprocessed/${inbox.id}/${id}`, raw, {
      contentType: 'message/rfc822',
    });
    const from = mail.from ? (mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address) : null;
    try {
      const [row] = await this.unprocessed.insert(scope, {
        id,
        inboxId: inbox.id,
        reason,
        reasonText: detail.slice(0, 2000),
        category: mail.category,
        messageId: mail.messageId,
        subject: mail.subject ? mail.subject.slice(0, 500) : null,
        fromText: from ? from.slice(0, 500) : null,
        size: blob.size,
        sha256: blob.sha256,
        storageKey: blob.key,
        receivedAt,
        status: 'pending',
        resolvedById: null,
        resolvedAt: null,
        conversationId: null,
      } as UnprocessedMail);
      return held(row, false);
    } catch (error) {
      await this.storage.delete(blob.key).catch(() => undefined);
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.unprocessed.findByMessageId(scope, inbox.id, mail.messageId);
      if (!winner) throw error;
      return held(winner, true);
    }
  }

  /**
   * The conversation an email belongs to. Header ids first (a reply names what it answers; ids are
   * unguessable, so any sender may continue a thread, as a colleague in Cc does). Then the
   * [#number] token or plus address, which anyone could type: only the conversation's own reader
   * continues it that way, anyone else starts a new conversation.
   */
  private async thread(
    scope: LibraryScope,
    inbox: Inbox,
    mail: ParsedEmail,
    concerning: string | null,
  ): Promise<Conversation | null> {
    const ids = [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : []), ...(concerning ? [concerning] : [])];
    const known = await this.conversations.latestMessageWithExternalId(scope, inbox.id, ids);
    if (known) return this.conversations.find(scope, known.conversationId);
    const number = mail.referenceToken ?? mail.plusAddressNumber;
    if (number === null || mail.category !== 'personal' || !mail.from) return null;
    const conversation = await this.conversations.findByNumber(scope, number);
    if (!conversation || conversation.inboxId !== inbox.id) return null;
    const [handle] = await this.identity.normalise(scope, [{ kind: 'email', value: mail.from.address }]);
    const owners = await this.readers.findHandles(scope, [{ kind: 'email', value: handle.value }]);
    return owners.some((h) => h.readerId === conversation.readerId) ? conversation : null;
  }

  /** A bounce fails the outbound message it reports on, through the outbox like every change of delivery. */
  private async markBounced(scope: LibraryScope, inbox: Inbox, mail: ParsedEmail): Promise<void> {
    const original = mail.bounce?.originalMessageId;
    if (!original) return;
    const message = await this.conversations.findMessageByExternalId(scope, inbox.id, original);
    if (!message || message.kind !== 'outbound') return;
    // A provider that says transient (SES: mailbox full, greylisted) is still trying, whatever the code.
    if (mail.bounce?.permanent === false) return;
    const failed = mail.bounce?.recipients.find((r) => r.action === 'failed' || r.status?.startsWith('5'));
    if (!failed && !mail.bounce?.status?.startsWith('5') && !mail.bounce?.permanent) return; // a delay notice
    await this.outbox.reportFailure(
      scope,
      message,
      `Bounced${failed ? ` for ${failed.address}` : ''}: ${failed?.diagnosticCode ?? mail.bounce?.status ?? 'undeliverable'}`,
    );
  }
}
