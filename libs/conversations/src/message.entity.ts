import { Column, Entity, Index } from 'typeorm';
import { EnumColumn, JsonColumn, TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';

export const MESSAGE_KINDS = ['inbound', 'outbound', 'note', 'event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * Where an outbound message stands on its channel, kept in `data.delivery`: queued until the channel
 * takes it, sending while a worker's attempt is under way (recorded before the adapter is called; `at`
 * is when it started), sent, or failed for good (after retries, or reported later by a bounce).
 * Never silent.
 */
export interface MessageDelivery {
  status: 'queued' | 'sending' | 'sent' | 'failed';
  /** Attempts made so far; while sending, the number of the attempt under way. */
  attempts: number;
  /** Why the last attempt failed, or what the bounce said. */
  error: string | null;
  at: string;
}

/**
 * A message on a conversation's timeline: what the reader sent, a reply, an internal note, or an
 * event (status change, assignment, transfer). Inbound messages carry the channel's own id
 * (Message-ID, CallSid, MessageSid, client id), unique per inbox, so a retried delivery is a no-op.
 */
@Entity('messages')
@Index('uq_messages_external', ['inboxId', 'externalId'], { unique: true })
@Index('ix_messages_timeline', ['conversationId', 'createdAt'])
@Index('ix_messages_delivery', ['deliveryStatus', 'createdAt'])
export class Message extends TenantEntity {
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

  /** For outbound messages on a channel: queued, sending, sent or failed (details in `data.delivery`); indexed for the sweep. */
  @Column({ name: 'delivery_status', type: 'varchar', length: 16, nullable: true })
  deliveryStatus!: MessageDelivery['status'] | null;

  /** Event details (type, from/to status, assignee…), channel metadata. */
  @JsonColumn({ default: () => "'{}'" })
  data!: Record<string, unknown>;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
