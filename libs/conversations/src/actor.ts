import type { AgentRole } from '@readerdesk/staff';

/** Parts of the desk that change conversations on their own, without a member of staff behind the change. */
export type SystemName = 'routing' | 'sla' | 'cti' | 'channel' | 'snooze' | 'offers';

/**
 * Who changes a conversation. A member of staff is held to the rules of their role; the system
 * (routing, SLA, CTI) passes role checks, but whoever it assigns must still be an active member of
 * staff who works in the conversation's department.
 */
export type Actor = { kind: 'staff'; agentId: string; role: AgentRole } | { kind: 'system'; name: SystemName };

export function staffActor(principal: { agentId: string; role: AgentRole }): Actor {
  return { kind: 'staff', agentId: principal.agentId, role: principal.role };
}

export function systemActor(name: SystemName): Actor {
  return { kind: 'system', name };
}

/** The agent to record as the author of a change: null for the system. */
export function actorAgentId(actor: Actor): string | null {
  return actor.kind === 'staff' ? actor.agentId : null;
}
