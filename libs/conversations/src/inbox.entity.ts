import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, EnumColumn, JsonColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';
import { type Channel, CHANNELS } from './conversation-status';

/** Where contacts arrive: a Twilio number, a mailbox, a chat widget. External ids are unique per inbox. */
@Entity('inboxes')
@Index('ix_inboxes_library', ['libraryId'])
@Index('uq_inboxes_address', ['address'], { unique: true })
export class Inbox extends TenantEntity {
  @EnumColumn(CHANNELS, { enumName: 'inbox_channel' })
  channel!: Channel;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The department new conversations of this inbox go to, until routing rules say otherwise. */
  @UuidColumn({ name: 'default_department_id', nullable: true })
  defaultDepartmentId!: string | null;

  /**
   * The inbox's own address where the channel has one (an email address, a phone number in E.164),
   * unique across the desk: inbound SMTP and webhooks find their inbox, and so their library, by it.
   */
  @Column({ type: 'varchar', length: 320, nullable: true })
  address!: string | null;

  /** Channel settings without secrets. */
  @JsonColumn({ default: () => "'{}'" })
  settings!: Record<string, unknown>;

  /** Channel secrets (passwords, API keys) as one SecretBox-sealed JSON document; never sent to clients. */
  @Column({ type: 'text', nullable: true })
  secrets!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
