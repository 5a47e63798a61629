import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { AlwaysOpen, OPENING_HOURS } from './opening-hours.port';
import { RoutingEngine } from './routing-engine';
import { RoutingRuleRepository } from './routing-rule.repository';
import { RoutingRulesService } from './routing-rules.service';

/**
 * Routing rules, and the conversation router ingestion calls (RoutingEngine fills conversations'
 * `ConversationRouting` slot at boot). Offers to agents and overflow will live here too.
 */
@Module({
  imports: [ConversationsModule, StaffModule, TenancyModule],
  providers: [
    RoutingRuleRepository,
    RoutingRulesService,
    RoutingEngine,
    // The calendars library will provide opening hours; until the two are wired together, 24/7.
    { provide: OPENING_HOURS, useClass: AlwaysOpen },
  ],
  exports: [RoutingRulesService, RoutingEngine],
})
export class RoutingModule {}
