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
import { Agent, AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import { Department } from './department.entity';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import { StaffDirectory } from './staff-directory';
import { StaffErrors } from './staff.errors';
import { StaffAccessChanged } from './staff.events';

export type DepartmentFields = Pick<Department, 'code' | 'name'> & { description?: string | null };
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
  ) {}

  async createDepartment(scope: LibraryScope, fields: DepartmentFields): Promise<Department> {
    const [department] = await this.createDepartments(scope, [fields]);
    return department;
  }

  /** Several departments in one statement (first-start seeding). */
  async createDepartments(scope: LibraryScope, list: readonly DepartmentFields[]): Promise<Department[]> {
    const codes = list.map((fields) => `"${fields.code}"`).join(', ');
    const which = list.length === 1 ? `code ${codes}` : `one of the codes ${codes}`;
    return this.unique(`A department with ${which} exists already`, () =>
      this.departments.insert(
        scope,
        ...list.map((fields) => ({ id: newRowId(), description: null, ...fields }) as Department),
      ),
    );
  }

  async updateDepartment(scope: LibraryScope, id: string, changes: Partial<DepartmentFields>): Promise<Department> {
    await this.departments.getById(scope, id);
    await this.unique(`A department with code "${changes.code}" exists already`, () =>
      this.departments.update(scope, id, changes),
    );
    return this.departments.getById(scope, id);
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

  private async unique<T>(message: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError(StaffErrors.duplicate, message);
      throw error;
    }
  }
}
