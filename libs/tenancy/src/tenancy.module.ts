import { Module } from '@nestjs/common';
import { BranchRepository } from './branch.repository';
import { LibraryAdminService } from './library-admin.service';
import { LibraryDirectory } from './library-directory';
import { LibraryRepository } from './library.repository';

@Module({
  providers: [LibraryRepository, BranchRepository, LibraryAdminService, LibraryDirectory],
  // Services only: the repositories stay inside the library (ARCHITECTURE.md, Layers).
  exports: [LibraryAdminService, LibraryDirectory],
})
export class TenancyModule {}
