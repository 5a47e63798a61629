import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import { PresenceChange } from './presence-change.entity';

@Injectable()
export class PresenceChangeRepository extends TenantRepository<PresenceChange> {
  constructor(db: DatabaseService) {
    super(db, PresenceChange, 'Presence change');
  }
}
