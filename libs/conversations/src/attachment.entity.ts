import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';

/**
 * A file that came with a message (an email attachment, an inline image, an MMS picture) or that an
 * agent uploaded for a reply. The row describes it; the bytes live in BlobStorage under `storageKey`.
 * An upload has no message until the reply that uses it is sent.
 */
@Entity('attachments')
@Index('ix_attachments_message', ['messageId'])
@Index('ix_attachments_conversation', ['conversationId'])
export class Attachment extends TenantEntity {
  @UuidColumn({ name: 'conversation_id' })
  conversationId!: string;

  @UuidColumn({ name: 'message_id', nullable: true })
  messageId!: string | null;

  /** As the sender named it, for display and downloads only; never used as a path. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 500 })
  storageKey!: string;

  /** An image the HTML body shows in place (cid: reference) rather than a file to download. */
  @Column({ type: 'boolean', default: false })
  inline!: boolean;

  @Column({ name: 'content_id', type: 'varchar', length: 255, nullable: true })
  contentId!: string | null;

  @UuidColumn({ name: 'uploaded_by_agent_id', nullable: true })
  uploadedByAgentId!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
