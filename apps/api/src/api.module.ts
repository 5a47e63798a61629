import { Module } from '@nestjs/common';
import { ReadersModule } from '@readerdesk/readers';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { AdminController } from './admin/admin.controller';
import { DirectoryController } from './directory.controller';
import { ReadersController } from './readers/readers.controller';

/** The HTTP surface: REST controllers (and, later, webhooks and the socket gateway). */
@Module({
  imports: [TenancyModule, StaffModule, ReadersModule],
  controllers: [DirectoryController, AdminController, ReadersController],
})
export class ApiModule {}
