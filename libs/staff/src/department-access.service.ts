import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@readerdesk/platform';
import { AgentRepository } from './agent.repository';
import { apiKeyReads } from './api-key-scopes';
import type { StaffPrincipal } from './auth.service';
import { scopeOf } from './auth.guard';

/**
 * Department scoping: administrators see everything in their library; agents and supervisors see
 * what belongs to their departments, plus what no department has claimed yet (the triage queue).
 * Anything else answers 404, like something that does not exist.
 */
@Injectable()
export class DepartmentAccessService {
  constructor(private readonly agents: AgentRepository) {}

  /** The departments the member of staff works in, or 'all' for an administrator (and an API key that reads). */
  async departmentsOf(principal: StaffPrincipal): Promise<Set<string> | 'all'> {
    if (principal.apiKey) return apiKeyReads(principal.apiKey.scopes) ? 'all' : new Set();
    if (principal.role === 'administrator') return 'all';
    return new Set(await this.agents.departmentIds(scopeOf(principal), principal.agentId));
  }

  async canSee(principal: StaffPrincipal, departmentId: string | null): Promise<boolean> {
    if (departmentId === null) return true;
    const departments = await this.departmentsOf(principal);
    return departments === 'all' || departments.has(departmentId);
  }

  async assertCanSee(principal: StaffPrincipal, departmentId: string | null, what: string): Promise<void> {
    if (!(await this.canSee(principal, departmentId))) throw new NotFoundError(what);
  }
}
