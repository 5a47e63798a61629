import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { ReadersModule } from '@readerdesk/readers';
import { EmailIngestService } from './email/email-ingest.service';
import { EmailInboxService } from './email/email-inbox.service';
import { EmailAcknowledgementService } from './email/email-acknowledgement.service';
import { EmailOutbox } from './email/email-outbox.service';
import { OutboundMessageRepository } from './email/outbound-message.repository';
import { MailboxCursorRepository } from './email/mailbox-cursor.repository';
import { EmailChannelAdapter } from './email/email-channel.adapter';
import { DESK_ONLY_ADAPTERS } from './desk-only.adapters';

/** What the api needs of the channels: configuring inboxes. The worker's fetchers and senders build on it. */
@Module({
  imports: [ConversationsModule, ReadersModule],
  providers: [
    EmailChannelAdapter,
    ...DESK_ONLY_ADAPTERS,
    EmailInboxService,
    EmailIngestService,
    MailboxCursorRepository,
    // The outbox runs wherever replies are recorded (the api too): it claims them and enqueues their sending.
    OutboundMessageRepository,
    EmailOutbox,
    EmailAcknowledgementService,
  ],
  exports: [EmailInboxService, EmailIngestService, MailboxCursorRepository, EmailOutbox, ConversationsModule],
})
export class ChannelsModule {}
