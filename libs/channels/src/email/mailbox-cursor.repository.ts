import { Injectable } from '@nestjs/common';
import { DatabaseService, isUniqueViolation, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { MailboxCursor } from './mailbox-cursor.entity';

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
    const changes = { uidValidity: cursor.uidValidity, lastUid: cursor.lastUid, lastError: null, lastFetchAt: at };
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

  async recordError(scope: LibraryScope, inboxId: string, message: string): Promise<void> {
    await this.update(scope, inboxId, { lastError: message.slice(0, 2000) });
  }
}
