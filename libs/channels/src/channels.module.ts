import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { ReadersModule } from '@readerdesk/readers';
import { EmailIngestService } from './email/email-ingest.service';
import { EmailInboxService } from './email/email-inbox.service';
import { EmailAcknowledgementService } from './email/email-acknowledgement.service';
import { SmtpTransports } from './email/smtp-transports.service';
import { EmailChannelAdapter } from './email/email-channel.adapter';
import { DESK_ONLY_ADAPTERS } from './desk-only.adapters';
import { MailboxCursorRepository } from './email/mailbox-cursor.repository';
import { MailboxStatusService } from './email/mailbox-status.service';
import { UnprocessedMailRepository } from './email/unprocessed-mail.repository';
import { UnprocessedMailService } from './email/unprocessed-mail.service';

/**
 * What every process needs of the channels: configuring inboxes, the adapters (the outbox in
 * conversations delivers through them), acknowledgements. The worker's fetchers and listeners build on it.
 */
@Module({
  imports: [ConversationsModule, ReadersModule],
  providers: [
    EmailChannelAdapter,
    ...DESK_ONLY_ADAPTERS,
    EmailInboxService,
    EmailIngestService,
    // The email adapter's; transports open only when a message is delivered (the worker's outbox jobs).
    SmtpTransports,
    EmailAcknowledgementService,
    // The fetchers' cursors: the worker moves them, the api reads the mailboxes' state from them.
    MailboxCursorRepository,
    MailboxStatusService,
    UnprocessedMailRepository,
    UnprocessedMailService,
  ],
  exports: [
    EmailInboxService,
    EmailIngestService,
    MailboxStatusService,
    MailboxCursorRepository,
    UnprocessedMailService,
    ConversationsModule,
  ],
})
export class ChannelsModule {}
