import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, In } from 'typeorm';
import { AgentDepartment } from './agent-department.entity';
import { Agent } from './agent.entity';

@Injectable()
export class AgentRepository extends TenantRepository<Agent> {
  constructor(db: DatabaseService) {
    super(db, Agent, 'Agent');
  }

  /**
   * Sign-in is the one lookup that cannot know the library in advance: the email names the
   * account, and the account names its library.
   */
  findForSignIn(email: string): Promise<Agent | null> {
    return this.db.manager.getRepository(Agent).findOne({ where: { email: email.trim().toLowerCase() } });
  }

  async addToDepartments(scope: LibraryScope, agentId: string, departmentIds: string[]): Promise<void> {
    if (departmentIds.length === 0) return;
    const rows = departmentIds.map((departmentId) => ({ agentId, departmentId, libraryId: scope.libraryId }));
    await this.db.manager.getRepository(AgentDepartment).insert(rows);
  }

  /** Makes the agent a member of exactly these departments. */
  async setDepartments(scope: LibraryScope, agentId: string, departmentIds: readonly string[]): Promise<void> {
    await this.db.manager.getRepository(AgentDepartment).delete({ agentId, libraryId: scope.libraryId });
    await this.addToDepartments(scope, agentId, [...departmentIds]);
  }

  async departmentIds(scope: LibraryScope, agentId: string): Promise<string[]> {
    const rows = await this.db.manager
      .getRepository(AgentDepartment)
      .find({ where: { agentId, libraryId: scope.libraryId }, select: { departmentId: true } });
    return rows.map((row) => row.departmentId);
  }

  /**
   * The library's accounts whose sign-in address is one of `addresses`, or whose local part (before
   * the @) is one of `localParts` (mentions: `@maria` names maria@…). Addresses are stored in lower case.
   */
  async findByEmailHandles(
    scope: LibraryScope,
    addresses: readonly string[],
    localParts: readonly string[],
  ): Promise<Agent[]> {
    if (addresses.length === 0 && localParts.length === 0) return [];
    const escape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.query(scope, 'a')
      .andWhere(
        new Brackets((b) => {
          b.where('1 = 0');
          if (addresses.length > 0) b.orWhere('a.email IN (:...addresses)', { addresses: [...addresses] });
          localParts.forEach((local, i) =>
            b.orWhere(`a.email LIKE :local${i} ESCAPE '\\'`, { [`local${i}`]: `${escape(local)}@%` }),
          );
        }),
      )
      .getMany();
  }

  /** Memberships of these departments (agent and department ids), for a roster of the queues. */
  async memberships(scope: LibraryScope, departmentIds: readonly string[]): Promise<AgentDepartment[]> {
    if (departmentIds.length === 0) return [];
    return this.db.manager.getRepository(AgentDepartment).find({
      where: { libraryId: scope.libraryId, departmentId: In([...departmentIds]) },
      select: { agentId: true, departmentId: true },
    });
  }
}
