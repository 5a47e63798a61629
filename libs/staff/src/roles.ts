import { SetMetadata } from '@nestjs/common';
import type { AgentRole } from './agent.entity';

export const REQUIRED_ROLE = 'readerdesk:required-role';
const RANK: Record<AgentRole, number> = { agent: 0, supervisor: 1, administrator: 2 };

/** The least role a route needs: an administrator can do what a supervisor can, who can do what an agent can. */
export const RequireRole = (role: AgentRole): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

export function hasRole(actual: AgentRole, required: AgentRole): boolean {
  return RANK[actual] >= RANK[required];
}
