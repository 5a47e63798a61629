import { Module } from '@nestjs/common';
import { CalendarsModule } from '@readerdesk/calendars';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { SlaClockRepository } from './sla-clock.repository';
import { SlaPolicyRepository } from './sla-policy.repository';
import { SlaPolicyService } from './sla-policy.service';
import { SlaService } from './sla.service';

@Module({
  imports: [TenancyModule, StaffModule, CalendarsModule, ConversationsModule],
  providers: [SlaPolicyRepository, SlaClockRepository, SlaPolicyService, SlaService],
  // Services only: the repositories stay inside the library (ARCHITECTURE.md, Layers).
  exports: [SlaPolicyService, SlaService],
})
export class SlaModule {}
