import { Module } from '@nestjs/common';
import { ReadersModule } from '@readerdesk/readers';
import { ChannelsModule } from '../channels.module';
import { MailboxSupervisor } from './mailbox-supervisor';
import { SmtpInboundServer } from './smtp-inbound.server';

/**
 * The email channel's background side, run by the worker (and by the embedded desk): mailbox
 * fetchers and the inbound SMTP listener (sending is the outbox's, through EmailChannelAdapter). The
 * api process never loads it.
 */
@Module({
  imports: [ChannelsModule, ReadersModule],
  providers: [MailboxSupervisor, SmtpInboundServer],
})
export class EmailWorkerModule {}
