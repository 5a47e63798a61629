import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { QueueStatsRepository } from './queue-stats.repository';
import { QueueStatsService } from './queue-stats.service';

@Module({
  imports: [TenancyModule, StaffModule, ConversationsModule],
  providers: [QueueStatsRepository, QueueStatsService],
  // The service only: the repository stays inside the library (ARCHITECTURE.md, Layers).
  exports: [QueueStatsService],
})
export class QueueStatsModule {}
