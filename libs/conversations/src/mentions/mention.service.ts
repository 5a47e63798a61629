import { Injectable } from '@nestjs/common';
import { Clock, DatabaseService, EventBus, LibraryScope, newRowId, NotFoundError } from '@readerdesk/platform';
import { StaffDirectory, worksIn } from '@readerdesk/staff';
import { ConversationRepository } from '../conversation.repository';
import { ConversationService } from '../conversation.service';
import { Message } from '../message.entity';
import { MessageRepository } from '../message.repository';
import { MAX_MENTIONS, mentionHandles } from './mention-syntax';
import { MessageMention } from './mention.entity';
import { MentionCreated } from './mention.events';
import { type MentionPageAfter, MentionRepository } from './mention.repository';

/**
 * Why a handle of a note mentions nobody: no active member of staff of the library has that address
 * or local part (`unknown`); several do, so the whole address is needed (`ambiguous`); the one it
 * names may not see the conversation, so they are not told of it (`cannot_see`); it is the author
 * (`self`); or the note has more than MAX_MENTIONS handles (`too_many`).
 */
export const NOT_MENTIONED_REASONS = ['unknown', 'ambiguous', 'cannot_see', 'self', 'too_many'] as const;
export type NotMentionedReason = (typeof NOT_MENTIONED_REASONS)[number];

export interface MentionedAgent {
  agentId: string;
  displayName: string;
}

export interface RecordedNote {
  message: Message;
  mentions: MentionedAgent[];
  notMentioned: Array<{ handle: string; reason: NotMentionedReason }>;
}

/** A mention as its agent lists it. */
export interface MentionView {
  id: string;
  conversationId: string;
  conversationNumber: number;
  messageId: string;
  byAgentId: string | null;
  byName: string | null;
  excerpt: string;
  createdAt: Date;
  readAt: Date | null;
}

const EXCERPT_CHARACTERS = 140;

/** The start of a note on one line, for a notification. */
export function excerptOf(text: string | null): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_CHARACTERS ? line : `${line.slice(0, EXCERPT_CHARACTERS - 1).trimEnd()}…`;
}

/**
 * Internal notes that mention colleagues (mention-syntax.ts): the note and its mentions are stored in
 * one transaction; after the commit each agent mentioned hears `mention.created` on their own socket
 * room. Only members of staff who may see the conversation are mentioned.
 */
@Injectable()
export class MentionService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly conversationService: ConversationService,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly mentions: MentionRepository,
    private readonly staff: StaffDirectory,
  ) {}

  /** Records an internal note (ConversationService.note) and the mentions in its text. */
  async note(
    scope: LibraryScope,
    conversationId: string,
    authorAgentId: string,
    text: string,
    attachmentIds: string[] = [],
  ): Promise<RecordedNote> {
    return this.db.transaction(async () => {
      const message = await this.conversationService.note(scope, conversationId, authorAgentId, text, attachmentIds);
      const conversation = await this.conversations.getById(scope, conversationId);
      const handles = mentionHandles(text);
      const looked = handles.slice(0, MAX_MENTIONS);
      const notMentioned: RecordedNote['notMentioned'] = handles
        .slice(MAX_MENTIONS)
        .map((h) => ({ handle: h.handle, reason: 'too_many' }));
      const candidates = await this.staff.byEmailHandles(
        scope,
        looked.flatMap((h) => (h.address ? [h.address] : [])),
        looked.flatMap((h) => (h.address ? [] : [h.localPart])),
      );
      const mentioned = new Map<string, MentionedAgent>();
      for (const h of looked) {
        const named = candidates.filter((c) =>
          h.address ? c.email === h.address : c.email.slice(0, c.email.lastIndexOf('@')) === h.localPart,
        );
        const [agent] = named;
        let reason: NotMentionedReason | null = null;
        if (!agent) reason = 'unknown';
        else if (named.length > 1) reason = 'ambiguous';
        else if (agent.id === authorAgentId) reason = 'self';
        else if (conversation.departmentId !== null && !worksIn(agent, conversation.departmentId))
          reason = 'cannot_see';
        if (reason) notMentioned.push({ handle: h.handle, reason });
        else mentioned.set(agent.id, { agentId: agent.id, displayName: agent.displayName });
      }
      if (mentioned.size > 0) {
        const rows = [...mentioned.keys()].map((agentId): MessageMention => ({
          id: newRowId(),
          libraryId: scope.libraryId,
          messageId: message.id,
          conversationId,
          agentId,
          createdAt: message.createdAt,
          readAt: null,
        }));
        await this.mentions.insert(scope, ...rows);
        const byName = (await this.staff.displayNames(scope, [authorAgentId])).get(authorAgentId) ?? null;
        for (const row of rows)
          this.events.publish(MentionCreated, {
            libraryId: scope.libraryId,
            mentionId: row.id,
            agentId: row.agentId,
            conversationId,
            departmentId: conversation.departmentId,
            messageId: message.id,
            byAgentId: authorAgentId,
            byName,
            excerpt: excerptOf(text),
            at: message.createdAt.toISOString(),
          });
      }
      return { message, mentions: [...mentioned.values()], notMentioned };
    });
  }

  /** Who each of these messages mentions, by message id (messages without mentions are left out). */
  async ofMessages(scope: LibraryScope, messageIds: readonly string[]): Promise<Map<string, MentionedAgent[]>> {
    const rows = await this.mentions.ofMessages(scope, messageIds);
    const names = await this.staff.displayNames(
      scope,
      rows.map((r) => r.agentId),
    );
    const byMessage = new Map<string, MentionedAgent[]>();
    for (const r of rows)
      byMessage.set(r.messageId, [
        ...(byMessage.get(r.messageId) ?? []),
        { agentId: r.agentId, displayName: names.get(r.agentId) ?? '' },
      ]);
    return byMessage;
  }

  /** A page of the agent's mentions, newest first, in conversations they may see now. */
  async mine(
    scope: LibraryScope,
    agentId: string,
    visible: ReadonlySet<string> | 'all',
    options: { unread?: boolean; limit: number; after?: MentionPageAfter },
  ): Promise<MentionView[]> {
    return this.views(scope, await this.mentions.page(scope, agentId, visible, options));
  }

  /** Marks the agent's mention read (once: a second call keeps the first time); another agent's answers 404. */
  async markRead(
    scope: LibraryScope,
    id: string,
    agentId: string,
    visible: ReadonlySet<string> | 'all',
  ): Promise<MentionView> {
    const found = await this.mentions.findVisible(scope, id, agentId, visible);
    if (!found) throw new NotFoundError('Mention');
    if (!found.readAt) {
      await this.db.transaction(() => this.mentions.markRead(scope, id, this.clock.now()));
    }
    const [view] = await this.views(scope, [(await this.mentions.findById(scope, id)) ?? found]);
    return view;
  }

  private async views(scope: LibraryScope, rows: MessageMention[]): Promise<MentionView[]> {
    if (rows.length === 0) return [];
    const [messages, conversations] = await Promise.all([
      this.messages.findByIds(
        scope,
        rows.map((r) => r.messageId),
      ),
      this.conversations.findByIds(
        scope,
        rows.map((r) => r.conversationId),
      ),
    ]);
    const message = new Map(messages.map((m) => [m.id, m]));
    const number = new Map(conversations.map((c) => [c.id, c.number]));
    const authors = messages.flatMap((m) => (m.authorAgentId ? [m.authorAgentId] : []));
    const names = await this.staff.displayNames(scope, authors);
    return rows.map((r) => {
      const m = message.get(r.messageId);
      const by = m?.authorAgentId ?? null;
      return {
        id: r.id,
        conversationId: r.conversationId,
        conversationNumber: number.get(r.conversationId) ?? 0,
        messageId: r.messageId,
        byAgentId: by,
        byName: by ? (names.get(by) ?? null) : null,
        excerpt: excerptOf(m?.text ?? null),
        createdAt: r.createdAt,
        readAt: r.readAt,
      };
    });
  }
}
