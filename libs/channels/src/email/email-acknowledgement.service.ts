import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  AutomaticRepliesService,
  ConversationOpened,
  ConversationService,
  InboxService,
  Message,
} from '@readerdesk/conversations';
import { EventBus, LibraryScope, libraryScope } from '@readerdesk/platform';
import type { EmailAddress } from './email-address';
import { EmailInboxService } from './email-inbox.service';
import { formatMailbox, UnsafeAddressError } from './header-safety';
import { acknowledgementText } from './outbound-email';

/** At most one acknowledgement per recipient address and library in this sliding window. */
export const ACKNOWLEDGEMENT_WINDOW_MS = 60 * 60 * 1000;

/** The part of an inbound message's `data.email` the reply side reads. */
export interface InboundEmailData {
  messageId?: string;
  from?: EmailAddress | null;
  replyTo?: EmailAddress[];
  references?: string[];
  category?: string;
  /** Personal by the classifier's score, but close to automatic: stored for staff, never acknowledged. */
  suspectedAutomatic?: boolean;
  /** Set when staff turned held (unprocessed) mail into this message: never acknowledged. */
  unprocessedMailId?: string;
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
    private readonly events: EventBus,
    private readonly emailInboxes: EmailInboxService,
    private readonly inboxes: InboxService,
    private readonly conversations: ConversationService,
    private readonly automaticReplies: AutomaticRepliesService,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(ConversationOpened, async (event) => {
      if (event.channel !== 'email') return;
      await this.acknowledge(libraryScope(event.libraryId), event.conversationId);
    });
  }

  /** Records the acknowledgement of a new email conversation, or returns null when none is due. */
  async acknowledge(scope: LibraryScope, conversationId: string): Promise<Message | null> {
    const conversation = await this.conversations.find(scope, conversationId);
    if (!conversation) return null;
    const inbox = await this.inboxes.find(scope, conversation.inboxId);
    if (inbox?.channel !== 'email') return null;
    const settings = this.emailInboxes.settingsOf(inbox);
    if (!settings.acknowledge) return null;
    const timeline = await this.conversations.messagesOf(scope, conversation.id);
    if (timeline.some((m) => m.data.acknowledgement === true)) return null;
    const first = timeline.find((m) => m.kind === 'inbound');
    const email = first?.data.email as InboundEmailData | undefined;
    if (email?.category !== 'personal' || email.suspectedAutomatic || email.unprocessedMailId) return null;
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

    const message = await this.automaticReplies.record(scope, {
      conversationId: conversation.id,
      text: acknowledgementText(conversation.number),
      data: { acknowledgement: true, email: { to: [{ name: recipient.name, address: recipient.address }] } },
      oncePer: { key: `acknowledgement:${key}`, withinMs: ACKNOWLEDGEMENT_WINDOW_MS },
    });
    if (!message)
      this.logger.log(`no acknowledgement for conversation ${conversation.id}: ${key} had one within the hour`);
    return message;
  }
}
