import { Column, Entity } from 'typeorm';
import { TenantEntity, TimestampColumn, UpdatedAtColumn } from '@readerdesk/platform';

/** What the worker serving a mailbox last reported (the API adds `not_configured`, `unclaimed` and `stale`). */
export const MAILBOX_CONNECTION_STATES = ['connecting', 'connected', 'retrying', 'failing'] as const;
export type MailboxConnectionState = (typeof MAILBOX_CONNECTION_STATES)[number];

const asNumber = { to: (n: number) => n, from: (v: string | number | null) => (v === null ? 0 : Number(v)) };

/**
 * Where the IMAP fetcher of one inbox stands: the folder's UIDVALIDITY and the last UID handed to
 * ingestion. A restart resumes after it; a changed UIDVALIDITY starts the folder over (ingestion
 * drops what it has already stored). The lease says which worker process reads the mailbox, and the
 * connection columns what it last found, so that any process (the api) can show it.
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

  @TimestampColumn({ name: 'last_error_at', nullable: true })
  lastErrorAt!: Date | null;

  /** The last time the worker was connected and had listed the folder (a successful fetch, mail or none). */
  @TimestampColumn({ name: 'last_fetch_at', nullable: true })
  lastFetchAt!: Date | null;

  /** Null until a worker has served the mailbox. A plain varchar: SQLite adds it with ADD COLUMN. */
  @Column({ name: 'connection_state', type: 'varchar', length: 16, nullable: true })
  connectionState!: MailboxConnectionState | null;

  @TimestampColumn({ name: 'state_since', nullable: true })
  stateSince!: Date | null;

  /** Failed connections or rounds in a row; back to 0 after a successful fetch. */
  @Column({ name: 'consecutive_failures', type: 'int', default: 0 })
  consecutiveFailures!: number;

  /** When the current run of failures began. */
  @TimestampColumn({ name: 'failing_since', nullable: true })
  failingSince!: Date | null;

  /** Messages in the folder above the cursor, not yet handed to the desk, as of the last listing or batch. */
  @Column({ name: 'waiting', type: 'int', nullable: true })
  waiting!: number | null;

  /** The worker process serving this mailbox now; others leave it alone until the lease runs out. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 100, nullable: true })
  leaseOwner!: string | null;

  @TimestampColumn({ name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
