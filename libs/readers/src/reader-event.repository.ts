import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { ReaderEvent } from './reader-event.entity';

@Injectable()
export class ReaderEventRepository extends TenantRepository<ReaderEvent> {
  constructor(db: DatabaseService) {
    super(db, ReaderEvent, 'Reader event');
  }

  forReader(scope: LibraryScope, readerId: string): Promise<ReaderEvent[]> {
    return this.find(scope, { readerId }, { createdAt: 'ASC' });
  }
}
