import { Module } from '@nestjs/common';
import { CalendarsModule } from '@readerdesk/calendars';
import { ReadersModule } from '@readerdesk/readers';
import { RoutingModule } from '@readerdesk/routing';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { SeedService } from './demo/seed.service';

/** First-start data; the DataSource options come from DeskDataSourceOptions, given to PlatformModule. */
@Module({
  imports: [TenancyModule, StaffModule, ReadersModule, CalendarsModule, RoutingModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class PersistenceModule {}
