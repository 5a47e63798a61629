import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { RealtimeGateway } from './realtime.gateway';

@Module({ imports: [StaffModule, ConversationsModule], providers: [RealtimeGateway], exports: [RealtimeGateway] })
export class RealtimeModule {}
