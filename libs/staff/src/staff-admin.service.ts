import { Injectable } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  isUniqueViolation,
  LibraryScope,
  newRowId,
} from '@readerdesk/platform';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { Agent, AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import { Department } from './department.entity';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import { StaffDirectory } from './staff-directory';
import { StaffErrors } from './staff.errors';
import { DepartmentBranchChanged, StaffAccessChanged } from './staff.events';

export type DepartmentFields = Pick<Department, 'code' | 'name'> & {
  description?: string | null;
  /** The branch it works in; null or absent: the library's default branch. */
  branchId?: string | null;
};
export type AgentFields = { email: string; displayName: string; role: AgentRole; departmentIds: string[] };
export type AgentChanges = Partial<Pick<Agent, 'displayName' | 'role' | 'active' | 'capacity' | 'skills'>> & {
  /** The whole new set of departments the agent is a member of. */
  departmentIds?: string[];
};

/** Departments and staff accounts, as an administrator manages them within their library. */
@Injectable()
export class StaffAdminService {
  constructor(
    private readonly db: DatabaseService,
    private readonly departments: DepartmentRepository,
    private readonly agents: AgentRepository,
    private readonly hasher: PasswordHasher,
    private readonly directory: StaffDirectory,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly libraries: LibraryDirectory,
  ) {}

  async createDepartment(scope: LibraryScope, fields: DepartmentFields): Promise<Department> {
    const [department] = await this.createDepartments(scope, [fields]);
    return department;
  }

  /** Several departments in one statement (first-start seeding). */
  async createDepartments(scope: LibraryScope, list: readonly DepartmentFields[]): Promise<Department[]> {
    const codes = list.map((fields) => `"${fields.code}"`).join(', ');
    const which = list.length === 1 ? `code ${codes}` : `one of the codes ${codes}`;
    return this.db.transaction(async () => {
      await this.assertBranchesExist(scope, list);
      return this.unique(`A department with ${which} exists already`, () =>
        this.departments.insert(
          scope,
          ...list.map((fields) => ({ id: newRowId(), description: null, branchId: null, ...fields }) as Department),
        ),
      );
    });
  }

  /**
   * Changes a department. Moving it to another branch (or out of one: null) publishes
   * DepartmentBranchChanged, on which its opening hours and the SLA clocks of its open conversations follow.
   */
  async updateDepartment(scope: LibraryScope, id: string, changes: Partial<DepartmentFields>): Promise<Department> {
    return this.db.transaction(async () => {
      const before = await this.departments.getById(scope, id);
      await this.assertBranchesExist(scope, [changes]);
      await this.unique(`A department with code "${changes.code}" exists already`, () =>
        this.departments.update(scope, id, changes),
      );
      const after = await this.departments.getById(scope, id);
      if (after.branchId !== before.branchId)
        this.events.publish(DepartmentBranchChanged, {
          libraryId: scope.libraryId,
          departmentId: id,
          fromBranchId: before.branchId,
          toBranchId: after.branchId,
        });
      return after;
    });
  }

  /** The library's staff accounts, by display name. */
  listAgents(scope: LibraryScope): Promise<Agent[]> {
    return this.agents.find(scope, {}, { displayName: 'ASC' });
  }

  /** One staff account of this library; 404 not_found otherwise (another library's agent included). */
  agent(scope: LibraryScope, id: string): Promise<Agent> {
    return this.agents.getById(scope, id);
  }

  /** The departments an agent is a member of. */
  departmentIdsOf(scope: LibraryScope, agentId: string): Promise<string[]> {
    return this.agents.departmentIds(scope, agentId);
  }

  /** The account a sign-in email names, in whichever library (first-start seeding checks for it). */
  findAgentByEmail(email: string): Promise<Agent | null> {
    return this.agents.findForSignIn(email);
  }

  async createAgent(scope: LibraryScope, fields: AgentFields & { password: string }): Promise<Agent> {
    const { password, ...account } = fields;
    const passwordHash = await this.hasher.hash(password);
    return this.db.transaction(async () => {
      await this.directory.assertDepartmentsExist(scope, account.departmentIds);
      return this.createAgentWithPasswordHash(scope, { ...account, passwordHash });
    });
  }

  /**
   * An account whose password is hashed already, in departments known to exist: first-start seeding
   * hashes the demo password once for all of its agents.
   */
  async createAgentWithPasswordHash(
    scope: LibraryScope,
    fields: AgentFields & { passwordHash: string },
  ): Promise<Agent> {
    return this.db.transaction(async () => {
      const agent = await this.unique(`An account for ${fields.email} exists already`, async () => {
        const [row] = await this.agents.insert(scope, {
          id: newRowId(),
          email: fields.email.trim().toLowerCase(),
          displayName: fields.displayName,
          role: fields.role,
          passwordHash: fields.passwordHash,
          active: true,
          lastLoginAt: null,
        } as Agent);
        return row;
      });
      await this.agents.addToDepartments(scope, agent.id, fields.departmentIds);
      return agent;
    });
  }

  /**
   * Changes an account. A change of role, departments or status raises its token version (access
   * tokens issued before stop working at once) and publishes StaffAccessChanged; deactivating it
   * also revokes its refresh tokens.
   */
  async updateAgent(scope: LibraryScope, id: string, changes: AgentChanges): Promise<Agent> {
    const { departmentIds, ...fields } = changes;
    return this.db.transaction(async () => {
      const before = await this.agents.getById(scope, id);
      const departmentsBefore = await this.agents.departmentIds(scope, id);
      if (departmentIds) await this.directory.assertDepartmentsExist(scope, departmentIds);
      const departmentsChanged =
        departmentIds !== undefined &&
        (departmentIds.length !== departmentsBefore.length ||
          departmentIds.some((d) => !departmentsBefore.includes(d)));
      const accessChanged =
        departmentsChanged ||
        (fields.role !== undefined && fields.role !== before.role) ||
        (fields.active !== undefined && fields.active !== before.active);
      const set: Partial<Agent> = accessChanged ? { ...fields, tokenVersion: before.tokenVersion + 1 } : fields;
      if (Object.keys(set).length > 0) await this.agents.update(scope, id, set);
      if (departmentsChanged) await this.agents.setDepartments(scope, id, departmentIds);
      const after = await this.agents.getById(scope, id);
      if (accessChanged) {
        if (!after.active) await this.refreshTokens.revokeAllOf(scope, id, this.clock.now());
        this.events.publish(StaffAccessChanged, {
          libraryId: scope.libraryId,
          agentId: id,
          role: after.role,
          active: after.active,
          departmentIds: departmentsChanged ? [...new Set(departmentIds)] : departmentsBefore,
        });
      }
      return after;
    });
  }

  /** Refuses (400 invalid_department, naming branchId) a branch that is not the library's: another library's reads as unknown. */
  private async assertBranchesExist(
    scope: LibraryScope,
    list: ReadonlyArray<Pick<Partial<DepartmentFields>, 'branchId'>>,
  ): Promise<void> {
    const wanted = [...new Set(list.flatMap((fields) => (fields.branchId ? [fields.branchId] : [])))];
    const errors: Array<{ field: string; message: string }> = [];
    for (const branchId of wanted)
      if (!(await this.libraries.findBranch(scope, branchId)))
        errors.push({ field: 'branchId', message: `no such branch in this library: ${branchId}` });
    if (errors.length > 0)
      throw new DomainError(StaffErrors.invalidDepartment, errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
        errors,
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
