import { defineEvent } from '@readerdesk/platform';
import type { AgentRole } from './agent.entity';

/**
 * A member of staff's role, departments or status changed (after commit): their access tokens
 * from before no longer pass, and live consoles must leave the rooms they may no longer hear
 * (or, deactivated, be dropped). Carries the new state, so consumers need no read.
 */
export const StaffAccessChanged = defineEvent<{
  libraryId: string;
  agentId: string;
  role: AgentRole;
  active: boolean;
  departmentIds: string[];
}>('staff.access-changed');

/** An API key was revoked: every process forgets it at once (their caches of keys read). */
export const ApiKeyRevoked = defineEvent<{ libraryId: string; prefix: string }>('staff.api-key-revoked', {
  everyProcess: true,
});

/**
 * A department moved to another branch, or out of one (after commit): the opening hours its SLA clocks
 * count may be others now, so the calendar cache forgets the library and open conversations are recomputed.
 */
export const DepartmentBranchChanged = defineEvent<{
  libraryId: string;
  departmentId: string;
  fromBranchId: string | null;
  toBranchId: string | null;
}>('staff.department-branch-changed');
