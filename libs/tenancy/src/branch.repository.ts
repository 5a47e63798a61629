import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import { Branch } from './branch.entity';

@Injectable()
export class BranchRepository extends TenantRepository<Branch> {
  constructor(db: DatabaseService) {
    super(db, Branch, 'Branch');
  }
}
