import { Module } from '@nestjs/common';
import { ReadersModule } from '@readerdesk/readers';
import { ChannelsModule } from '../channels.module';
import { EmailSenderProcessor } from './email-sender.processor';
import { MailboxSupervisor } from './mailbox-supervisor';
import { SmtpInboundServer } from './smtp-inbound.server';
import { SmtpTransports } from './smtp-transports.service';

/**
 * The email channel's background side, run by the worker (and by the embedded desk): mailbox
 * fetchers, the inbound SMTP listener, the outbox sender. The api process never loads it.
 */
@Module({
  imports: [ChannelsModule, ReadersModule],
  providers: [EmailSenderProcessor, SmtpTransports, MailboxSupervisor, SmtpInboundServer],
})
export class EmailWorkerModule {}
