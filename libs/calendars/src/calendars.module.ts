import { Module } from '@nestjs/common';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { CalendarRepository } from './calendar.repository';
import { CalendarService } from './calendar.service';

@Module({
  imports: [TenancyModule, StaffModule],
  providers: [CalendarRepository, CalendarService],
  // Services only: the repository stays inside the library (ARCHITECTURE.md, Layers).
  exports: [CalendarService],
})
export class CalendarsModule {}
