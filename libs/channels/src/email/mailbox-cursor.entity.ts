import { Column, Entity } from 'typeorm';
import { TenantEntity, TimestampColumn, UpdatedAtColumn } from '@readerdesk/platform';

const asNumber = { to: (n: number) => n, from: (v: string | number | null) => (v === null ? 0 : Number(v)) };

/**
 * Where the IMAP fetcher of one inbox stands: the folder's UIDVALIDITY and the last UID handed to
 * ingestion. A restart resumes after it; a changed UIDVALIDITY starts the folder over (ingestion
 * drops what it has already stored). The lease says which worker process reads the mailbox.
 */
@Entity('email_mailbox_cursors')
export class MailboxCursor extends TenantEntity {
  // `id` is the inbox's id: one cursor per inbox.
  @Column({ name: 'uid_validity', type: 'varchar', length: 32, nullable: true })
  uidValidity!: string | null;

  /** IMAP UIDs are unsigned 32-bit: past a signed integer's range. */
  @Column({ name: 'last_uid', type: 'bigint', default: 0, transformer: asNumber })
  lastUid!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @TimestampColumn({ name: 'last_fetch_at', nullable: true })
  lastFetchAt!: Date | null;

  /** The worker process serving this mailbox now; others leave it alone until the lease runs out. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 100, nullable: true })
  leaseOwner!: string | null;

  @TimestampColumn({ name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
