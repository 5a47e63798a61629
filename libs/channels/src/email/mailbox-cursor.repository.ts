import { Injectable } from '@nestjs/common';
import { DatabaseService, isUniqueViolation, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { MailboxCursor } from './mailbox-cursor.entity';
import type { MailboxHealthChanges } from './mailbox-health';

@Injectable()
export class MailboxCursorRepository extends TenantRepository<MailboxCursor> {
  constructor(db: DatabaseService) {
    super(db, MailboxCursor, 'Mailbox cursor');
  }

  async load(scope: LibraryScope, inboxId: string): Promise<{ uidValidity: string | null; lastUid: number }> {
    const row = await this.findById(scope, inboxId);
    return { uidValidity: row?.uidValidity ?? null, lastUid: row?.lastUid ?? 0 };
  }

  async save(
    scope: LibraryScope,
    inboxId: string,
    cursor: { uidValidity: string | null; lastUid: number },
    at: Date,
  ): Promise<void> {
    // The last error stays, with its time: the connection state says whether it is over.
    const changes = { uidValidity: cursor.uidValidity, lastUid: cursor.lastUid, lastFetchAt: at };
    if (await this.update(scope, inboxId, changes)) return;
    try {
      await this.insert(scope, { id: inboxId, ...changes } as MailboxCursor);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.update(scope, inboxId, changes);
    }
  }

  /**
   * Takes or renews the lease on a mailbox for `owner` until `until`; false while another live
   * worker holds it. One conditional UPDATE decides, so two workers never both win.
   */
  async claim(scope: LibraryScope, inboxId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const exists = await this.findById(scope, inboxId);
    if (!exists) {
      try {
        await this.insert(scope, {
          id: inboxId,
          uidValidity: null,
          lastUid: 0,
          lastError: null,
          lastFetchAt: null,
          leaseOwner: owner,
          leaseUntil: until,
        } as MailboxCursor);
        return true;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    const won = await this.db.manager
      .createQueryBuilder()
      .update(MailboxCursor)
      .set({ leaseOwner: owner, leaseUntil: until })
      .where('id = :id AND library_id = :libraryId', { id: inboxId, libraryId: scope.libraryId })
      .andWhere('(lease_owner IS NULL OR lease_owner = :owner OR lease_until IS NULL OR lease_until < :now)', {
        owner,
        now: this.timestamp(now),
      })
      .execute();
    return (won.affected ?? 0) > 0;
  }

  async release(scope: LibraryScope, inboxId: string, owner: string): Promise<void> {
    await this.updateWhere(scope, { id: inboxId, leaseOwner: owner }, { leaseOwner: null, leaseUntil: null });
  }

  /**
   * Writes what the serving worker found about the connection, only while it holds the lease: a
   * worker that just lost the mailbox cannot overwrite its successor's report.
   */
  async reportHealth(
    scope: LibraryScope,
    inboxId: string,
    owner: string,
    changes: MailboxHealthChanges,
  ): Promise<void> {
    const row: Partial<MailboxCursor> = { ...changes };
    if (changes.lastError !== undefined) row.lastError = changes.lastError.slice(0, 2000);
    await this.updateWhere(scope, { id: inboxId, leaseOwner: owner }, row);
  }

  /** The mailbox's row as the api shows it: lease and connection columns, read from the database. */
  async status(scope: LibraryScope, inboxId: string): Promise<MailboxCursor | null> {
    return this.findById(scope, inboxId);
  }
}
