import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Message } from './message.entity';

@Injectable()
export class MessageRepository extends TenantRepository<Message> {
  constructor(db: DatabaseService) {
    super(db, Message, 'Message');
  }

  findByExternalId(scope: LibraryScope, inboxId: string, externalId: string): Promise<Message | null> {
    return this.findOne(scope, { inboxId, externalId });
  }

  timeline(scope: LibraryScope, conversationId: string): Promise<Message[]> {
    return this.find(scope, { conversationId }, { createdAt: 'ASC', id: 'ASC' });
  }
}
