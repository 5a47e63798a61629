import { Injectable } from '@nestjs/common';
import { DatabaseService, DomainError, isUniqueViolation, LibraryScope, newRowId } from '@readerdesk/platform';
import { In } from 'typeorm';
import { Agent, AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import { Department } from './department.entity';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';

export type DepartmentFields = Pick<Department, 'code' | 'name'> & { description?: string | null };

/** Departments and staff accounts, as an administrator manages them within their library. */
@Injectable()
export class StaffAdminService {
  constructor(
    private readonly db: DatabaseService,
    private readonly departments: DepartmentRepository,
    private readonly agents: AgentRepository,
    private readonly hasher: PasswordHasher,
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
      await this.checkDepartments(scope, fields.departmentIds);
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

  /** Departments named by id must be this library's: another library's id reads as unknown. */
  private async checkDepartments(scope: LibraryScope, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await this.departments.find(scope, { id: In(ids) });
    const missing = ids.filter((id) => !found.some((d) => d.id === id));
    if (missing.length > 0) throw new DomainError('not_found', `Department ${missing.join(', ')} was not found`, 404);
  }

  private async unique<T>(message: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('duplicate', message, 409);
      throw error;
    }
  }
}
