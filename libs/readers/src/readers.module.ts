import { Module } from '@nestjs/common';
import { TenancyModule } from '@readerdesk/tenancy';
import { IdentityService } from './identity.service';
import { ReaderEventRepository } from './reader-event.repository';
import { ReaderHandleRepository } from './reader-handle.repository';
import { ReaderRepository } from './reader.repository';
import { ReaderService } from './reader.service';

@Module({
  imports: [TenancyModule],
  providers: [ReaderRepository, ReaderHandleRepository, ReaderEventRepository, IdentityService, ReaderService],
  exports: [IdentityService, ReaderService],
})
export class ReadersModule {}
