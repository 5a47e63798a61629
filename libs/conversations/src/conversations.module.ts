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
import { InboxService } from './inbox.service';
import { IngestionService } from './ingestion.service';
import { IngestionWriter } from './ingestion.writer';
import { MessageRepository } from './message.repository';
import { MentionRepository } from './mentions/mention.repository';
import { MentionService } from './mentions/mention.service';
import { AutomaticRepliesService } from './outbox/automatic-replies.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxService } from './outbox/outbox.service';
import { ConversationRouting } from './routing/routing-port';
import { SnoozeService } from './snooze.service';

@Module({
  imports: [ReadersModule, StaffModule, DiscoveryModule],
  providers: [
    AttachmentRepository,
    AttachmentService,
    InboxRepository,
    InboxService,
    ConversationRepository,
    MessageRepository,
    IngestionWriter,
    ConversationRouting,
    IngestionService,
    ConversationService,
    SnoozeService,
    ChannelRegistry,
    // Runs wherever messages are recorded (the api too): it claims outbound ones and enqueues their delivery.
    OutboxRepository,
    OutboxService,
    AutomaticRepliesService,
    MentionRepository,
    MentionService,
  ],
  exports: [
    ConversationRouting,
    OutboxService,
    AutomaticRepliesService,
    ChannelRegistry,
    AttachmentService,
    InboxService,
    IngestionService,
    ConversationService,
    SnoozeService,
    MentionService,
  ],
})
export class ConversationsModule {}
