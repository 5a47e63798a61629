import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  ConversationOpened,
  ConversationRepository,
  InboxRepository,
  Message,
  MessageAppended,
  MessageDelivery,
  MessageDeliveryChanged,
  MessageRepository,
} from '@readerdesk/conversations';
import { Clock, DatabaseService, EventBus, LibraryScope, libraryScope, newRowId } from '@readerdesk/platform';
import type { EmailAddress } from './email-address';
import { EmailInboxService } from './email-inbox.service';
import { formatMailbox, UnsafeAddressError } from './header-safety';
import { acknowledgementText, outboundMessageId } from './outbound-email';
import { OutboundMessageRepository } from './outbound-message.repository';

/** At most one acknowledgement per recipient address and library in this sliding window. */
export const ACKNOWLEDGEMENT_WINDOW_MS = 60 * 60 * 1000;

/** The part of an inbound message's `data.email` the reply side reads. */
export interface InboundEmailData {
  messageId?: string;
  from?: EmailAddress | null;
  replyTo?: EmailAddress[];
  references?: string[];
  category?: string;
}

/** Where a reply to this inbound email goes: its Reply-To, else its From. */
export function replyAddressOf(email: InboundEmailData | undefined): EmailAddress | null {
  return email?.replyTo?.[0] ?? email?.from ?? null;
}

/**
 * "We received your question — reference #…" for a genuine email that opened a new conversation,
 * when the inbox asks for it. Recorded as an outbound message (data.acknowledgement) so it shows on
 * the timeline and replies to it thread; sent by the outbox like any reply, marked Auto-Submitted.
 * Never for machine mail (which never opens a conversation anyway), never to another desk inbox,
 * and at most once an hour per address in a library, so a forged sender cannot turn the desk into
 * a mail cannon against a third party.
 */
@Injectable()
export class EmailAcknowledgementService implements OnModuleInit {
  private readonly logger = new Logger('EmailAcknowledgement');

  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly emailInboxes: EmailInboxService,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly outbound: OutboundMessageRepository,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(ConversationOpened, async (event) => {
      if (event.channel !== 'email') return;
      await this.acknowledge(libraryScope(event.libraryId), event.conversationId);
    });
  }

  /** Records the acknowledgement of a new email conversation, or returns null when none is due. */
  async acknowledge(scope: LibraryScope, conversationId: string): Promise<Message | null> {
    const conversation = await this.conversations.findById(scope, conversationId);
    if (!conversation) return null;
    const inbox = await this.inboxes.findById(scope, conversation.inboxId);
    if (inbox?.channel !== 'email') return null;
    const settings = this.emailInboxes.settingsOf(inbox);
    if (!settings.acknowledge) return null;
    const timeline = await this.messages.timeline(scope, conversation.id);
    if (timeline.some((m) => m.data.acknowledgement === true)) return null;
    const first = timeline.find((m) => m.kind === 'inbound');
    const email = first?.data.email as InboundEmailData | undefined;
    if (email?.category !== 'personal') return null;
    const recipient = replyAddressOf(email);
    if (!recipient) return null;
    try {
      formatMailbox(recipient);
    } catch (error) {
      if (error instanceof UnsafeAddressError) return null;
      throw error;
    }
    const key = recipient.address.toLowerCase();
    // Two desk inboxes acknowledging each other would never stop.
    if (key === settings.address.toLowerCase() || (await this.inboxes.findByAddress(key))) return null;

    return this.db.transaction(async (manager) => {
      // Serialises acknowledgements to one address, so two mails arriving together get one answer between them.
      if (this.db.dialect === 'postgres') {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`readerdesk-ack:${scope.libraryId}:${key}`]);
      }
      const now = this.clock.now();
      const recent = await this.outbound.automaticSince(scope, new Date(now.getTime() - ACKNOWLEDGEMENT_WINDOW_MS));
      if (recent.some((m) => m.data.acknowledgement === true && acknowledgedAddress(m) === key)) {
        this.logger.log(`no acknowledgement for conversation ${conversation.id}: ${key} had one within the hour`);
        return null;
      }
      const delivery: MessageDelivery = { status: 'queued', attempts: 0, error: null, at: now.toISOString() };
      const [message] = await this.messages.insert(scope, {
        id: newRowId(),
        libraryId: scope.libraryId,
        conversationId: conversation.id,
        inboxId: inbox.id,
        kind: 'outbound',
        externalId: outboundMessageId(settings.address),
        authorAgentId: null,
        subject: null,
        text: acknowledgementText(conversation.number),
        html: null,
        rawHtml: null,
        deliveryStatus: 'queued',
        data: {
          acknowledgement: true,
          email: { to: [{ name: recipient.name, address: recipient.address }] },
          delivery,
        },
        createdAt: now,
      });
      const base = { libraryId: scope.libraryId, conversationId: conversation.id, messageId: message.id };
      this.events.publish(MessageAppended, { ...base, kind: 'outbound', departmentId: conversation.departmentId });
      this.events.publish(MessageDeliveryChanged, { ...base, departmentId: conversation.departmentId, delivery });
      return message;
    });
  }
}

function acknowledgedAddress(message: Message): string | null {
  const to = (message.data.email as { to?: Array<{ address?: string }> } | undefined)?.to?.[0]?.address;
  return to ? to.toLowerCase() : null;
}
