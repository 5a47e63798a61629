import { Entity, Index } from 'typeorm';
import { CreatedAtColumn, EnumColumn, JsonColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';

export const READER_EVENT_TYPES = ['merged', 'absorbed', 'handle_unlinked'] as const;
export type ReaderEventType = (typeof READER_EVENT_TYPES)[number];

/** The identity history of a reader: merges and unlinks, who did them and what moved. */
@Entity('reader_events')
@Index('ix_reader_events_reader', ['libraryId', 'readerId', 'createdAt'])
export class ReaderEvent extends TenantEntity {
  @UuidColumn({ name: 'reader_id' })
  readerId!: string;

  @EnumColumn(READER_EVENT_TYPES, { enumName: 'reader_event_type' })
  type!: ReaderEventType;

  /** The agent who acted; null for the system. */
  @UuidColumn({ name: 'actor_agent_id', nullable: true })
  actorAgentId!: string | null;

  @JsonColumn()
  data!: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt!: Date;
}
