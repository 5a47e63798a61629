import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, EnumColumn, TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';

/**
 * Why a message opened no conversation: it has no usable sender; the classifier was unsure whether
 * a machine wrote it; or it is machine mail (auto-reply, list, bounce, abuse report) about nothing
 * the inbox sent or holds.
 */
export const UNPROCESSED_REASONS = ['no_sender', 'suspected_automatic', 'automatic'] as const;
export type UnprocessedReason = (typeof UNPROCESSED_REASONS)[number];

export const UNPROCESSED_STATUSES = ['pending', 'converted', 'discarded'] as const;
export type UnprocessedStatus = (typeof UNPROCESSED_STATUSES)[number];

/**
 * Mail that reached an inbox and opened no conversation, kept so nothing that arrives vanishes:
 * staff open it, turn it into a conversation or discard it (recorded). The raw message lives in
 * BlobStorage under `storageKey` (null once discarded). One row per (inbox, Message-ID), so an IMAP
 * refetch or an SMTP retry stores it once.
 */
@Entity('email_unprocessed')
@Index('uq_email_unprocessed_message', ['inboxId', 'messageId'], { unique: true })
@Index('ix_email_unprocessed_list', ['libraryId', 'inboxId', 'status', 'receivedAt'])
export class UnprocessedMail extends TenantEntity {
  @UuidColumn({ name: 'inbox_id' })
  inboxId!: string;

  @EnumColumn(UNPROCESSED_REASONS, { enumName: 'email_unprocessed_reason' })
  reason!: UnprocessedReason;

  /** What decided it, in words, for staff (the classifier's signal, "no From and no envelope sender"). */
  @Column({ name: 'reason_text', type: 'text' })
  reasonText!: string;

  /** The classifier's category (`personal` for no_sender and suspected_automatic). */
  @Column({ type: 'varchar', length: 40 })
  category!: string;

  /** The Message-ID, or the synthetic one derived from the bytes when it has none. */
  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  subject!: string | null;

  /** The From header as read (name and address), or null when there is none. */
  @Column({ name: 'from_text', type: 'varchar', length: 500, nullable: true })
  fromText!: string | null;

  /** Bytes of the raw message. */
  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  /** Where the raw bytes are; null once discarded (they are removed then). */
  @Column({ name: 'storage_key', type: 'varchar', length: 500, nullable: true })
  storageKey!: string | null;

  @TimestampColumn({ name: 'received_at' })
  receivedAt!: Date;

  @EnumColumn(UNPROCESSED_STATUSES, { enumName: 'email_unprocessed_status', default: 'pending' })
  status!: UnprocessedStatus;

  @UuidColumn({ name: 'resolved_by_id', nullable: true })
  resolvedById!: string | null;

  @TimestampColumn({ name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @UuidColumn({ name: 'conversation_id', nullable: true })
  conversationId!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
