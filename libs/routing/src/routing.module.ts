import { Module } from '@nestjs/common';
import { CalendarsModule } from '@readerdesk/calendars';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { CalendarOpeningHours, OPENING_HOURS } from './opening-hours.port';
import { RoutingEngine } from './routing-engine';
import { RoutingRuleRepository } from './routing-rule.repository';
import { RoutingRulesService } from './routing-rules.service';

/**
 * Routing rules, and the conversation router ingestion calls (RoutingEngine fills conversations'
 * `ConversationRouting` slot at boot). Offers to agents and overflow will live here too.
 */
@Module({
  imports: [CalendarsModule, ConversationsModule, StaffModule, TenancyModule],
  providers: [
    RoutingRuleRepository,
    RoutingRulesService,
    RoutingEngine,
    { provide: OPENING_HOURS, useClass: CalendarOpeningHours },
  ],
  exports: [RoutingRulesService, RoutingEngine],
})
export class RoutingModule {}
