import { Injectable } from '@nestjs/common';
import { LibraryScope, NotFoundError } from '@readerdesk/platform';
import type { AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import type { Department } from './department.entity';
import { DepartmentRepository } from './department.repository';

/** What other libraries need to know about a member of staff to apply their rules. */
export interface StaffMember {
  id: string;
  role: AgentRole;
  active: boolean;
  departmentIds: readonly string[];
}

/** Administrators work in every department; everyone else in the ones they are a member of. */
export function worksIn(member: StaffMember, departmentId: string): boolean {
  return member.role === 'administrator' || member.departmentIds.includes(departmentId);
}

/**
 * The staff as other libraries see it (conversation rules, routing, CTI, SLA): who someone is and
 * where they work, and whether a department exists, without handing out the staff repositories.
 */
@Injectable()
export class StaffDirectory {
  constructor(
    private readonly agents: AgentRepository,
    private readonly departments: DepartmentRepository,
  ) {}

  /** A member of staff of this library (active or not), or null: another library's agent reads as unknown. */
  async member(scope: LibraryScope, agentId: string): Promise<StaffMember | null> {
    const agent = await this.agents.findById(scope, agentId);
    if (!agent) return null;
    return {
      id: agent.id,
      role: agent.role,
      active: agent.active,
      departmentIds: await this.agents.departmentIds(scope, agent.id),
    };
  }

  /** The library's departments (the queues), by name. */
  listDepartments(scope: LibraryScope): Promise<Department[]> {
    return this.departments.find(scope, {}, { name: 'ASC' });
  }

  /** Refuses (404 not_found) when any of the departments is not this library's: another library's id reads as unknown. */
  async assertDepartmentsExist(scope: LibraryScope, ids: readonly string[]): Promise<void> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return;
    const found = await this.departments.findByIds(scope, wanted);
    const missing = wanted.filter((id) => !found.some((d) => d.id === id));
    if (missing.length > 0) throw new NotFoundError(`Department ${missing.join(', ')}`);
  }
}
