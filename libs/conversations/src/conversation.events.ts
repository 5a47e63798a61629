import { defineEvent } from '@readerdesk/platform';
import type { Channel, ConversationStatus } from './conversation-status';
import type { MessageKind } from './message.entity';

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
}>('conversations.message-appended');
export const ConversationStatusChanged = defineEvent<{
  libraryId: string;
  conversationId: string;
  from: ConversationStatus;
  to: ConversationStatus;
  actorAgentId: string | null;
}>('conversations.status-changed');
