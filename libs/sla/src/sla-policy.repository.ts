import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { SlaPolicy } from './sla-policy.entity';

@Injectable()
export class SlaPolicyRepository extends TenantRepository<SlaPolicy> {
  constructor(db: DatabaseService) {
    super(db, SlaPolicy, 'SLA policy');
  }

  all(scope: LibraryScope): Promise<SlaPolicy[]> {
    return this.find(scope, {}, { createdAt: 'ASC', id: 'ASC' });
  }
}
