import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { Department } from './department.entity';

@Injectable()
export class DepartmentRepository extends TenantRepository<Department> {
  constructor(db: DatabaseService) {
    super(db, Department, 'Department');
  }

  findByIds(scope: LibraryScope, ids: readonly string[]): Promise<Department[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.find(scope, { id: In([...ids]) });
  }
}
