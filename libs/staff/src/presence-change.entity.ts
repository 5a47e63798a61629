import { Entity, Index } from 'typeorm';
import { CreatedAtColumn, EnumColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';
import { PRESENCES, type Presence } from './agent.entity';

/** The presence history of an agent, for staffing reports and the supervisor board. */
@Entity('presence_changes')
@Index('ix_presence_changes_agent', ['libraryId', 'agentId', 'createdAt'])
export class PresenceChange extends TenantEntity {
  @UuidColumn({ name: 'agent_id' })
  agentId!: string;

  @EnumColumn(PRESENCES, { enumName: 'presence_change_from', name: 'from_presence' })
  from!: Presence;

  @EnumColumn(PRESENCES, { enumName: 'presence_change_to', name: 'to_presence' })
  to!: Presence;

  @CreatedAtColumn()
  createdAt!: Date;
}
