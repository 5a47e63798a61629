import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import { Inbox } from './inbox.entity';

@Injectable()
export class InboxRepository extends TenantRepository<Inbox> {
  constructor(db: DatabaseService) {
    super(db, Inbox, 'Inbox');
  }
}
