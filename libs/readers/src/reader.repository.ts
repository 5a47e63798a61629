import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import { Reader } from './reader.entity';

@Injectable()
export class ReaderRepository extends TenantRepository<Reader> {
  constructor(db: DatabaseService) {
    super(db, Reader, 'Reader');
  }
}
