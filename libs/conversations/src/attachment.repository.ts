import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In, IsNull } from 'typeorm';
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

  /**
   * Gives an upload to a message while it belongs to none; the IS NULL condition settles two
   * replies racing for one upload: only one update matches. False when another got it.
   */
  async claimForMessage(scope: LibraryScope, id: string, messageId: string): Promise<boolean> {
    return (await this.updateWhere(scope, { id, messageId: IsNull() }, { messageId })) > 0;
  }
}
