import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ReadersModule } from '@readerdesk/readers';
import { StaffModule } from '@readerdesk/staff';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentService } from './attachment.service';
import { ConversationRepository } from './conversation.repository';
import { ChannelRegistry } from './channels/channel-registry';
import { ConversationService } from './conversation.service';
import { InboxRepository } from './inbox.repository';
import { IngestionService } from './ingestion.service';
import { IngestionWriter } from './ingestion.writer';
import { MessageRepository } from './message.repository';

@Module({
  imports: [ReadersModule, StaffModule, DiscoveryModule],
  providers: [
    AttachmentRepository,
    AttachmentService,
    InboxRepository,
    ConversationRepository,
    MessageRepository,
    IngestionWriter,
    IngestionService,
    ConversationService,
    ChannelRegistry,
  ],
  exports: [
    ChannelRegistry,
    AttachmentService,
    InboxRepository,
    ConversationRepository,
    MessageRepository,
    IngestionService,
    ConversationService,
  ],
})
export class ConversationsModule {}
