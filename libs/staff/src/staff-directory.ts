import { Injectable } from '@nestjs/common';
import { LibraryScope, NotFoundError } from '@readerdesk/platform';
import { type AgentRole, type Capacity, effectiveCapacity, type Presence } from './agent.entity';
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

/** A member of staff on a supervisor's board: presence and capacity, and which of the asked departments they work in. */
export interface RosterMember {
  id: string;
  displayName: string;
  role: AgentRole;
  presence: Presence;
  presenceChangedAt: Date | null;
  capacity: Capacity;
  departmentIds: string[];
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

  /** The name colleagues see for a member of staff of this library (collision), or null when unknown. */
  async displayName(scope: LibraryScope, agentId: string): Promise<string | null> {
    return (await this.agents.findById(scope, agentId))?.displayName ?? null;
  }

  /** The library's departments (the queues), by name. */
  listDepartments(scope: LibraryScope): Promise<Department[]> {
    return this.departments.find(scope, {}, { name: 'ASC' });
  }

  /** One department of this library; 404 not_found otherwise (another library's included). */
  department(scope: LibraryScope, id: string): Promise<Department> {
    return this.departments.getById(scope, id);
  }

  /** Refuses (404 not_found) when any of the departments is not this library's: another library's id reads as unknown. */
  async assertDepartmentsExist(scope: LibraryScope, ids: readonly string[]): Promise<void> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return;
    const found = await this.departments.findByIds(scope, wanted);
    const missing = wanted.filter((id) => !found.some((d) => d.id === id));
    if (missing.length > 0) throw new NotFoundError(`Department ${missing.join(', ')}`);
  }

  /** The active members of these departments, by name (queue statistics: agents by presence and load). */
  async roster(scope: LibraryScope, departmentIds: readonly string[]): Promise<RosterMember[]> {
    const memberships = await this.agents.memberships(scope, departmentIds);
    const departmentsOf = new Map<string, string[]>();
    for (const m of memberships)
      departmentsOf.set(m.agentId, [...(departmentsOf.get(m.agentId) ?? []), m.departmentId]);
    if (departmentsOf.size === 0) return [];
    const agents = await this.agents.findByIds(scope, [...departmentsOf.keys()]);
    return agents
      .filter((a) => a.active)
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id))
      .map((a) => ({
        id: a.id,
        displayName: a.displayName,
        role: a.role,
        presence: a.presence,
        presenceChangedAt: a.presenceChangedAt,
        capacity: effectiveCapacity(a),
        departmentIds: (departmentsOf.get(a.id) ?? []).sort(),
      }));
  }

  /**
   * Active members of staff of this library named by sign-in address or by its local part (mentions:
   * `maria` finds maria@…, of any domain, so it may find several), with their departments.
   */
  async byEmailHandles(
    scope: LibraryScope,
    addresses: readonly string[],
    localParts: readonly string[],
  ): Promise<Array<StaffMember & { email: string; displayName: string }>> {
    const agents = (await this.agents.findByEmailHandles(scope, addresses, localParts)).filter((a) => a.active);
    return Promise.all(
      agents.map(async (a) => ({
        id: a.id,
        role: a.role,
        active: a.active,
        email: a.email,
        displayName: a.displayName,
        departmentIds: await this.agents.departmentIds(scope, a.id),
      })),
    );
  }

  /** The display names of these members of staff of this library, by id (another library's are left out). */
  async displayNames(scope: LibraryScope, ids: readonly string[]): Promise<Map<string, string>> {
    const agents = await this.agents.findByIds(scope, ids);
    return new Map(agents.map((a) => [a.id, a.displayName]));
  }
}
