import { Injectable } from '@nestjs/common';
import { DatabaseService, DomainError, isUniqueViolation, LibraryScope, newRowId } from '@readerdesk/platform';
import { Agent, AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import { Department } from './department.entity';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';
import { StaffDirectory } from './staff-directory';
import { StaffErrors } from './staff.errors';

export type DepartmentFields = Pick<Department, 'code' | 'name'> & { description?: string | null };

/** Departments and staff accounts, as an administrator manages them within their library. */
@Injectable()
export class StaffAdminService {
  constructor(
    private readonly db: DatabaseService,
    private readonly departments: DepartmentRepository,
    private readonly agents: AgentRepository,
    private readonly hasher: PasswordHasher,
    private readonly directory: StaffDirectory,
  ) {}

  async createDepartment(scope: LibraryScope, fields: DepartmentFields): Promise<Department> {
    return this.unique(`A department with code "${fields.code}" exists already`, async () => {
      const [department] = await this.departments.insert(scope, {
        id: newRowId(),
        description: null,
        ...fields,
      } as Department);
      return department;
    });
  }

  async updateDepartment(scope: LibraryScope, id: string, changes: Partial<DepartmentFields>): Promise<Department> {
    await this.departments.getById(scope, id);
    await this.unique(`A department with code "${changes.code}" exists already`, () =>
      this.departments.update(scope, id, changes),
    );
    return this.departments.getById(scope, id);
  }

  async createAgent(
    scope: LibraryScope,
    fields: { email: string; displayName: string; role: AgentRole; password: string; departmentIds: string[] },
  ): Promise<Agent> {
    const passwordHash = await this.hasher.hash(fields.password);
    return this.db.transaction(async () => {
      await this.directory.assertDepartmentsExist(scope, fields.departmentIds);
      const agent = await this.unique(`An account for ${fields.email} exists already`, async () => {
        const [row] = await this.agents.insert(scope, {
          id: newRowId(),
          email: fields.email.trim().toLowerCase(),
          displayName: fields.displayName,
          role: fields.role,
          passwordHash,
          active: true,
          lastLoginAt: null,
        } as Agent);
        return row;
      });
      await this.agents.addToDepartments(scope, agent.id, fields.departmentIds);
      return agent;
    });
  }

  private async unique<T>(message: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError(StaffErrors.duplicate, message);
      throw error;
    }
  }
}
