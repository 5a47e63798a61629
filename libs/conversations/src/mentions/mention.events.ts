import { defineEvent } from '@readerdesk/platform';

/** A note mentioned a member of staff who may see its conversation: to that agent's consoles. */
export const MentionCreated = defineEvent<{
  libraryId: string;
  mentionId: string;
  /** Who is mentioned. */
  agentId: string;
  conversationId: string;
  departmentId: string | null;
  messageId: string;
  byAgentId: string;
  byName: string | null;
  excerpt: string;
  at: string;
}>('conversations.mention-created');
