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
