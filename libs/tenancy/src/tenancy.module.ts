import { Module } from '@nestjs/common';
import { BranchRepository } from './branch.repository';
import { LibraryAdminService } from './library-admin.service';
import { LibraryRepository } from './library.repository';

@Module({
  providers: [LibraryRepository, BranchRepository, LibraryAdminService],
  exports: [LibraryRepository, BranchRepository, LibraryAdminService],
})
export class TenancyModule {}
