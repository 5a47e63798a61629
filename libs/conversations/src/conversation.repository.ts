import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { Conversation } from './conversation.entity';
import type { ConversationStatus } from './conversation-status';

@Injectable()
export class ConversationRepository extends TenantRepository<Conversation> {
  constructor(db: DatabaseService) {
    super(db, Conversation, 'Conversation');
  }

  /** The next reference number of the library; the unique index settles a race, and the caller retries. */
  async nextNumber(scope: LibraryScope): Promise<number> {
    const row = await this.query(scope, 'c')
      .select('MAX(c.number)', 'max')
      .getRawOne<{ max: number | string | null }>();
    return Number(row?.max ?? 0) + 1;
  }

  /** The reader's most recent conversation in this inbox that is still going (not closed). */
  async latestOngoing(scope: LibraryScope, readerId: string, inboxId: string): Promise<Conversation | null> {
    const ongoing: ConversationStatus[] = ['new', 'open', 'pending', 'snoozed', 'resolved'];
    const [latest] = await this.find(scope, { readerId, inboxId, status: In(ongoing) }, { lastMessageAt: 'DESC' }, 1);
    return latest ?? null;
  }
}
