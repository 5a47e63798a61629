import { Injectable, Logger } from '@nestjs/common';
import { Conversation, ConversationService, Inbox, IngestionService, OutboxService } from '@readerdesk/conversations';
import { Clock, Environment, LibraryScope, libraryScope, MetricsService } from '@readerdesk/platform';
import { IdentityService, ReaderService } from '@readerdesk/readers';
import { EmailInboxService } from './email-inbox.service';
import { EmailParseError } from './email-parse-error';
import { parseInboundEmail } from './inbound-email-parser';
import type { ParsedEmail } from './parsed-email';

export type EmailSource = 'imap' | 'smtp';

/** What became of one raw email. Every outcome is final: the caller may drop or flag the source. */
export type EmailIngestOutcome =
  | { kind: 'stored'; conversationId: string; messageId: string; conversationCreated: boolean; duplicate: boolean }
  /** Machine mail (auto-reply, list, abuse report, bounce) recorded silently on the conversation it concerns. */
  | { kind: 'recorded'; category: string; conversationId: string; messageId: string; duplicate: boolean }
  /** Machine mail about nothing the desk sent or holds: not stored, never answered (RFC 3834). */
  | { kind: 'suppressed'; category: string; reason: string }
  /** Not readable as email at all (empty, over the size limit, no header): left where it came from. */
  | { kind: 'unreadable'; code: string; message: string };

/**
 * Turns one raw email into a conversation message: parse, classify (RFC 3834 loop prevention),
 * thread (In-Reply-To/References against inbound and outbound Message-IDs, then the [#number]
 * token or plus address when the sender is the conversation's reader), and hand to the one
 * ingestion entry point, idempotent on the Message-ID. Bounces mark the outbound message failed.
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
  ) {}

  async ingestRaw(inbox: Inbox, raw: Buffer, source: EmailSource, receivedAt?: Date): Promise<EmailIngestOutcome> {
    const outcome = await this.ingestOrExplain(inbox, raw, receivedAt);
    const label =
      outcome.kind === 'stored' && outcome.duplicate
        ? 'duplicate'
        : outcome.kind === 'recorded'
          ? outcome.category
          : outcome.kind;
    this.metrics.inboundEmail.inc({ outcome: label, source });
    if (outcome.kind === 'suppressed' || outcome.kind === 'unreadable') {
      this.logger.log(
        `inbox ${inbox.id}: ${outcome.kind} (${'category' in outcome ? outcome.category + ': ' : ''}${'reason' in outcome ? outcome.reason : outcome.message})`,
      );
    }
    return outcome;
  }

  private async ingestOrExplain(inbox: Inbox, raw: Buffer, receivedAt?: Date): Promise<EmailIngestOutcome> {
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
    const personal = mail.category === 'personal';
    const concerning = mail.bounce?.originalMessageId ?? mail.abuseReport?.originalMessageId ?? null;
    const conversation = await this.thread(scope, inbox, mail, concerning);
    if (!personal && !conversation) {
      return {
        kind: 'suppressed',
        category: mail.category,
        reason: `${mail.categoryReason}; it concerns nothing this inbox sent or holds (${mail.messageId})`,
      };
    }
    // Mail the classifier is unsure about opens a conversation (nothing may vanish) flagged
    // `suspectedAutomatic`, and is never acknowledged (an auto-reply to a machine could loop).
    const sender = mail.from?.address ?? (mail.returnPath || null);
    if (personal && !sender) {
      return { kind: 'suppressed', category: mail.category, reason: `no sender address (${mail.messageId})` };
    }
    const result = await this.ingestion.ingest(scope, {
      inboxId: inbox.id,
      channel: 'email',
      externalId: mail.messageId,
      handles: sender ? [{ kind: 'email', value: sender }] : [],
      displayName: mail.from?.name || null,
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
