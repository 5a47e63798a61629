import { Injectable } from '@nestjs/common';
import { Clock, DatabaseService, defineEvent, EventBus, LibraryScope, newRowId } from '@readerdesk/platform';
import type { Presence } from './agent.entity';
import { AgentRepository } from './agent.repository';
import { PresenceChange } from './presence-change.entity';
import { PresenceChangeRepository } from './presence-change.repository';

export const PresenceChanged = defineEvent<{
  libraryId: string;
  agentId: string;
  from: Presence;
  to: Presence;
  at: string;
}>('staff.presence-changed');

/** Agents set their presence; each change is kept (staffing history) and published (live boards, routing). */
@Injectable()
export class PresenceService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly agents: AgentRepository,
    private readonly history: PresenceChangeRepository,
  ) {}

  async set(scope: LibraryScope, agentId: string, to: Presence): Promise<Presence> {
    return this.db.transaction(async () => {
      const agent = await this.agents.getById(scope, agentId);
      if (agent.presence === to) return to;
      const at = this.clock.now();
      await this.agents.update(scope, agentId, { presence: to, presenceChangedAt: at });
      await this.history.insert(scope, { id: newRowId(), agentId, from: agent.presence, to } as PresenceChange);
      this.events.publish(PresenceChanged, {
        libraryId: scope.libraryId,
        agentId,
        from: agent.presence,
        to,
        at: at.toISOString(),
      });
      return to;
    });
  }

  changes(scope: LibraryScope, agentId: string): Promise<PresenceChange[]> {
    return this.history.find(scope, { agentId }, { createdAt: 'ASC' });
  }
}
