import { Column, Entity, Index } from 'typeorm';
import { EnumColumn, IdColumn, JsonColumn, TimestampColumn, UuidColumn } from '@readerdesk/platform';

export const MESSAGE_KINDS = ['inbound', 'outbound', 'note', 'event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * A message on a conversation's timeline: what the reader sent, a reply, an internal note, or an
 * event (status change, assignment, transfer). Inbound messages carry the channel's own id
 * (Message-ID, CallSid, MessageSid, client id), unique per inbox, so a retried delivery is a no-op.
 */
@Entity('messages')
@Index('uq_messages_external', ['inboxId', 'externalId'], { unique: true })
@Index('ix_messages_timeline', ['conversationId', 'createdAt'])
export class Message {
  @IdColumn()
  id!: string;

  @UuidColumn({ name: 'library_id' })
  libraryId!: string;

  @UuidColumn({ name: 'conversation_id' })
  conversationId!: string;

  @UuidColumn({ name: 'inbox_id', nullable: true })
  inboxId!: string | null;

  @EnumColumn(MESSAGE_KINDS, { enumName: 'message_kind' })
  kind!: MessageKind;

  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @UuidColumn({ name: 'author_agent_id', nullable: true })
  authorAgentId!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  /** Sanitised HTML, safe to show; the untouched original is kept in `rawHtml`. */
  @Column({ type: 'text', nullable: true })
  html!: string | null;

  @Column({ name: 'raw_html', type: 'text', nullable: true })
  rawHtml!: string | null;

  /** Event details (type, from/to status, assignee…), channel metadata. */
  @JsonColumn({ default: () => "'{}'" })
  data!: Record<string, unknown>;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
