import { defineEvent } from '@readerdesk/platform';
import type { Channel, ConversationStatus } from './conversation-status';
import type { MessageDelivery, MessageKind } from './message.entity';

export const ConversationOpened = defineEvent<{
  libraryId: string;
  conversationId: string;
  readerId: string;
  departmentId: string | null;
  channel: Channel;
}>('conversations.opened');
export const MessageAppended = defineEvent<{
  libraryId: string;
  conversationId: string;
  messageId: string;
  kind: MessageKind;
  departmentId: string | null;
  /** Who wrote it: a member of staff, or null (the reader, the system, an automatic reply). */
  authorAgentId: string | null;
  /** The reader's message that opened the conversation (ConversationOpened came just before). */
  opensConversation?: boolean;
}>('conversations.message-appended');
export const ConversationStatusChanged = defineEvent<{
  libraryId: string;
  conversationId: string;
  /** Where the conversation is queued, so that consumers need no read per event. */
  departmentId: string | null;
  from: ConversationStatus;
  to: ConversationStatus;
  actorAgentId: string | null;
}>('conversations.status-changed');
/** An outbound message was queued, sent, retried or failed (or bounced later). */
export const MessageDeliveryChanged = defineEvent<{
  libraryId: string;
  conversationId: string;
  messageId: string;
  departmentId: string | null;
  delivery: MessageDelivery;
}>('conversations.message-delivery-changed');
/**
 * Subject, priority, tags, department (a transfer) or assignee changed. `previousDepartmentId`
 * differs from `departmentId` after a transfer, so both queues hear of it.
 */
export const ConversationUpdated = defineEvent<{
  libraryId: string;
  conversationId: string;
  departmentId: string | null;
  previousDepartmentId: string | null;
  assigneeId: string | null;
  changed: Array<'subject' | 'priority' | 'tags' | 'departmentId' | 'assigneeId'>;
  actorAgentId: string | null;
}>('conversations.updated');
/**
 * The reader left before anyone answered: hung up while queued, closed the chat, gave up. Channels report
 * it through the port; offers withdraw what is pending, queue statistics count it (short abandons apart).
 */
export const ConversationAbandoned = defineEvent<{
  libraryId: string;
  conversationId: string;
  departmentId: string | null;
  channel: Channel;
  /** From entering the queue to leaving it. */
  waitedMs: number;
  at: string;
}>('conversations.abandoned');
