import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { OffersModule } from '@readerdesk/offers';
import { StaffModule } from '@readerdesk/staff';
import { ConversationViewersService } from './conversation-viewers.service';
import { RealtimeFanout } from './realtime.fanout';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [StaffModule, ConversationsModule, OffersModule],
  providers: [RealtimeFanout, ConversationViewersService, RealtimeGateway],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
