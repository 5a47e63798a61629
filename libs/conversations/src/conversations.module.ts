import { Module } from '@nestjs/common';
import { ReadersModule } from '@readerdesk/readers';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentService } from './attachment.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { InboxRepository } from './inbox.repository';
import { IngestionService } from './ingestion.service';
import { MessageRepository } from './message.repository';

@Module({
  imports: [ReadersModule],
  providers: [
    AttachmentRepository,
    AttachmentService,
    InboxRepository,
    ConversationRepository,
    MessageRepository,
    IngestionService,
    ConversationService,
  ],
  exports: [
    AttachmentService,
    InboxRepository,
    ConversationRepository,
    MessageRepository,
    IngestionService,
    ConversationService,
  ],
})
export class ConversationsModule {}
