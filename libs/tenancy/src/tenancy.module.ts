import { Module } from '@nestjs/common';
import { BranchRepository } from './branch.repository';
import { LibraryRepository } from './library.repository';

@Module({ providers: [LibraryRepository, BranchRepository], exports: [LibraryRepository, BranchRepository] })
export class TenancyModule {}
