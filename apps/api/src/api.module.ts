import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { ReadersModule } from '@readerdesk/readers';
import { RealtimeModule } from '@readerdesk/realtime';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { AdminController } from './admin/admin.controller';
import { ConversationsController } from './conversations/conversations.controller';
import { DirectoryController } from './directory.controller';
import { ReadersController } from './readers/readers.controller';

/** The HTTP surface: REST controllers (and, later, webhooks and the socket gateway). */
@Module({
  imports: [TenancyModule, StaffModule, ReadersModule, ConversationsModule, RealtimeModule],
  controllers: [DirectoryController, AdminController, ReadersController, ConversationsController],
})
export class ApiModule {}
