import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { Attachment } from './attachment.entity';

@Injectable()
export class AttachmentRepository extends TenantRepository<Attachment> {
  constructor(db: DatabaseService) {
    super(db, Attachment, 'Attachment');
  }

  ofMessages(scope: LibraryScope, messageIds: string[]): Promise<Attachment[]> {
    if (messageIds.length === 0) return Promise.resolve([]);
    return this.find(scope, { messageId: In(messageIds) }, { createdAt: 'ASC', id: 'ASC' });
  }
}
