import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, In, IsNull } from 'typeorm';
import { MessageMention } from './mention.entity';

export interface MentionPageAfter {
  createdAt: Date;
  id: string;
}

@Injectable()
export class MentionRepository extends TenantRepository<MessageMention> {
  constructor(db: DatabaseService) {
    super(db, MessageMention, 'Mention');
  }

  /**
   * One page of the agent's mentions, newest first (keyset on created_at, id), in conversations
   * the agent may see now ('all', or those departments and the unclaimed ones): a conversation
   * transferred away takes its mentions with it.
   */
  page(
    scope: LibraryScope,
    agentId: string,
    visible: ReadonlySet<string> | 'all',
    options: { unread?: boolean; limit: number; after?: MentionPageAfter },
  ): Promise<MessageMention[]> {
    const q = this.visibleTo(scope, agentId, visible);
    if (options.unread) q.andWhere('mm.readAt IS NULL');
    if (options.after) {
      const at = this.timestamp(options.after.createdAt);
      q.andWhere(
        new Brackets((b) =>
          b
            .where('mm.createdAt < :afterAt', { afterAt: at })
            .orWhere('mm.createdAt = :afterAt AND mm.id < :afterId', { afterId: options.after!.id }),
        ),
      );
    }
    return q.orderBy('mm.createdAt', 'DESC').addOrderBy('mm.id', 'DESC').take(options.limit).getMany();
  }

  /** The agent's mention, if its conversation is one they may see now. */
  findVisible(
    scope: LibraryScope,
    id: string,
    agentId: string,
    visible: ReadonlySet<string> | 'all',
  ): Promise<MessageMention | null> {
    return this.visibleTo(scope, agentId, visible).andWhere('mm.id = :id', { id }).getOne();
  }

  /** Marks it read unless it is already (the first reading counts). */
  async markRead(scope: LibraryScope, id: string, at: Date): Promise<void> {
    await this.updateWhere(scope, { id, readAt: IsNull() }, { readAt: at });
  }

  ofMessages(scope: LibraryScope, messageIds: readonly string[]): Promise<MessageMention[]> {
    if (messageIds.length === 0) return Promise.resolve([]);
    return this.find(scope, { messageId: In([...new Set(messageIds)]) }, { createdAt: 'ASC', id: 'ASC' });
  }

  private visibleTo(scope: LibraryScope, agentId: string, visible: ReadonlySet<string> | 'all') {
    const q = this.query(scope, 'mm').andWhere('mm.agentId = :agentId', { agentId }).innerJoin('mm.conversation', 'c');
    return this.inDepartments(q, 'c.departmentId', visible);
  }
}
