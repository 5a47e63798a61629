import { Module } from '@nestjs/common';
import { CalendarsModule } from '@readerdesk/calendars';
import { CannedRepliesModule } from '@readerdesk/canned-replies';
import { ChannelsModule } from '@readerdesk/channels';
import { ConversationsModule } from '@readerdesk/conversations';
import { OffersModule } from '@readerdesk/offers';
import { ReadersModule } from '@readerdesk/readers';
import { SlaModule } from '@readerdesk/sla';
import { QueueStatsModule } from '@readerdesk/queue-stats';
import { RealtimeModule } from '@readerdesk/realtime';
import { RoutingModule } from '@readerdesk/routing';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { CorsOrigins } from '@readerdesk/platform';
import { AdminController } from './admin/admin.controller';
import { ApiKeysController } from './admin/api-keys.controller';
import { BranchCalendarController, DepartmentCalendarController } from './calendars/calendars.controller';
import {
  CannedRepliesController,
  ConversationCannedRepliesController,
} from './canned-replies/canned-replies.controller';
import { EmailInboxesController } from './channels/email-inboxes.controller';
import { UnprocessedMailController } from './channels/unprocessed-mail.controller';
import { AttachmentsController } from './conversations/attachments.controller';
import { ConversationsController } from './conversations/conversations.controller';
import { MentionsController } from './conversations/mentions.controller';
import { LibraryCorsOrigins } from './cors-origins';
import { DirectoryController } from './directory.controller';
import { OfferSettingsController, OffersController } from './offers/offers.controller';
import { SlaPoliciesController } from './sla/sla-policies.controller';
import { QueueStatsController } from './queue-stats/queue-stats.controller';
import { ReadersController } from './readers/readers.controller';
import { RoutingRulesController } from './routing/routing-rules.controller';

/** The HTTP surface: REST controllers the socket gateway, and later webhooks. */
@Module({
  imports: [
    TenancyModule,
    StaffModule,
    ReadersModule,
    CalendarsModule,
    ConversationsModule,
    RoutingModule,
    SlaModule,
    OffersModule,
    QueueStatsModule,
    ChannelsModule,
    CannedRepliesModule,
    RealtimeModule,
  ],
  controllers: [
    DirectoryController,
    AdminController,
    ApiKeysController,
    ReadersController,
    ConversationsController,
    AttachmentsController,
    EmailInboxesController,
    UnprocessedMailController,
    BranchCalendarController,
    DepartmentCalendarController,
    RoutingRulesController,
    SlaPoliciesController,
    OffersController,
    OfferSettingsController,
    QueueStatsController,
    CannedRepliesController,
    ConversationCannedRepliesController,
    MentionsController,
  ],
  providers: [{ provide: CorsOrigins, useClass: LibraryCorsOrigins }],
})
export class ApiModule {}
