import { Module } from '@nestjs/common';
import { BranchRepository } from './branch.repository';
import { LibraryAdminService } from './library-admin.service';
import { LibraryDirectory } from './library-directory';
import { LibraryRepository } from './library.repository';

@Module({
  providers: [LibraryRepository, BranchRepository, LibraryAdminService, LibraryDirectory],
  // Services only: the repositories stay inside the library (ARCHITECTURE.md, Layers).
  // TODO(trim): LibraryRepository while libs/readers/src/identity.service.ts still injects it (LibraryDirectory.findById).
  exports: [LibraryRepository, LibraryAdminService, LibraryDirectory],
})
export class TenancyModule {}
