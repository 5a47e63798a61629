import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
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

  /** Memberships of these departments (agent and department ids), for a roster of the queues. */
  async memberships(scope: LibraryScope, departmentIds: readonly string[]): Promise<AgentDepartment[]> {
    if (departmentIds.length === 0) return [];
    return this.db.manager.getRepository(AgentDepartment).find({
      where: { libraryId: scope.libraryId, departmentId: In([...departmentIds]) },
      select: { agentId: true, departmentId: true },
    });
  }
}
