import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import { Department } from './department.entity';

@Injectable()
export class DepartmentRepository extends TenantRepository<Department> {
  constructor(db: DatabaseService) {
    super(db, Department, 'Department');
  }
}
