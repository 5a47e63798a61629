import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { ReadersModule } from '@readerdesk/readers';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { CannedReplyRepository } from './canned-reply.repository';
import { CannedReplyService } from './canned-reply.service';

@Module({
  imports: [TenancyModule, StaffModule, ReadersModule, ConversationsModule],
  providers: [CannedReplyRepository, CannedReplyService],
  // Services only: the repositories stay inside the library (ARCHITECTURE.md, Layers).
  exports: [CannedReplyService],
})
export class CannedRepliesModule {}
