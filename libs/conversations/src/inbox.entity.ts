import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, EnumColumn, IdColumn, JsonColumn, UuidColumn } from '@readerdesk/platform';
import { type Channel, CHANNELS } from './conversation-status';

/** Where contacts arrive: a Twilio number, a mailbox, a chat widget. External ids are unique per inbox. */
@Entity('inboxes')
@Index('ix_inboxes_library', ['libraryId'])
export class Inbox {
  @IdColumn()
  id!: string;

  @UuidColumn({ name: 'library_id' })
  libraryId!: string;

  @EnumColumn(CHANNELS, { enumName: 'inbox_channel' })
  channel!: Channel;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The department new conversations of this inbox go to, until routing rules say otherwise. */
  @UuidColumn({ name: 'default_department_id', nullable: true })
  defaultDepartmentId!: string | null;

  /** Channel settings without secrets (secrets live encrypted in their own column, with the channel issues). */
  @JsonColumn({ default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt!: Date;
}
