import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Calendar } from './calendar.entity';

export type CalendarOwner = { branchId: string } | { departmentId: string };

@Injectable()
export class CalendarRepository extends TenantRepository<Calendar> {
  constructor(db: DatabaseService) {
    super(db, Calendar, 'Calendar');
  }

  ofOwner(scope: LibraryScope, owner: CalendarOwner): Promise<Calendar | null> {
    return this.findOne(scope, owner);
  }
}
