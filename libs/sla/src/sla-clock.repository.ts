import { Injectable } from '@nestjs/common';
import { Conversation } from '@readerdesk/conversations';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In, MoreThan } from 'typeorm';

export type RecordedColumn =
  | 'firstResponseWarnedAt'
  | 'nextResponseWarnedAt'
  | 'resolutionWarnedAt'
  | 'firstResponseBreachedAt'
  | 'nextResponseBreachedAt'
  | 'resolutionBreachedAt';

/** The SLA columns of conversations (which own them; libs/sla computes them). */
@Injectable()
export class SlaClockRepository extends TenantRepository<Conversation> {
  constructor(db: DatabaseService) {
    super(db, Conversation, 'Conversation');
  }

  /** The row, locked until the transaction ends on PostgreSQL (SQLite transactions take turns already). */
  async locked(scope: LibraryScope, id: string): Promise<Conversation | null> {
    if (!this.db.inTransaction) throw new Error('locked needs a transaction');
    const query = this.query(scope, 'c').andWhere('c.id = :id', { id });
    if (this.db.dialect === 'postgres') query.setLock('pessimistic_write');
    return query.getOne();
  }

  /**
   * The rows (those of the scope among `ids`), locked until the transaction ends on PostgreSQL, in id order: two
   * transactions locking overlapping sets take the locks in the same order and cannot deadlock.
   */
  async lockedMany(scope: LibraryScope, ids: readonly string[]): Promise<Conversation[]> {
    if (!this.db.inTransaction) throw new Error('lockedMany needs a transaction');
    if (ids.length === 0) return [];
    const query = this.query(scope, 'c')
      .andWhere('c.id IN (:...ids)', { ids: [...ids] })
      .orderBy('c.id', 'ASC');
    if (this.db.dialect === 'postgres') query.setLock('pessimistic_write');
    return query.getMany();
  }

  /** Ids of the department's conversations whose clocks may run (not resolved or closed), after `afterId`, in id order. */
  async unfinishedInDepartment(
    scope: LibraryScope,
    departmentId: string,
    afterId: string | null,
    limit: number,
  ): Promise<string[]> {
    const rows = await this.find(
      scope,
      {
        departmentId,
        status: In(['new', 'open', 'pending', 'snoozed']),
        ...(afterId ? { id: MoreThan(afterId) } : {}),
      },
      { id: 'ASC' },
      limit,
    );
    return rows.map((row) => row.id);
  }

  /**
   * Rows of every library whose next warning or breach is due, in (sla_next_check_at, id) order after `after` (a
   * keyset page of ix_conversations_sla_check): a row whose check fails, and so stays due, is passed once per sweep.
   * The cursor is a JavaScript Date (milliseconds), as every instant the desk writes to the column is; a value with
   * microseconds (written by hand) would be read again on the next page, and checked twice, which is harmless.
   */
  async dueForCheck(
    now: Date,
    limit: number,
    after: SweepCursor | null = null,
  ): Promise<Array<{ id: string; libraryId: string; slaNextCheckAt: Date }>> {
    const query = this.db.manager
      .getRepository(Conversation)
      .createQueryBuilder('c')
      .select(['c.id', 'c.libraryId', 'c.slaNextCheckAt'])
      .where('c.slaNextCheckAt <= :now', { now: this.timestamp(now) });
    if (after)
      query.andWhere('(c.slaNextCheckAt, c.id) > (:afterAt, :afterId)', {
        afterAt: this.timestamp(after.at),
        afterId: after.id,
      });
    const rows = await query.orderBy('c.slaNextCheckAt', 'ASC').addOrderBy('c.id', 'ASC').limit(limit).getMany();
    return rows.map((row) => ({ id: row.id, libraryId: row.libraryId, slaNextCheckAt: row.slaNextCheckAt! }));
  }
}

/** Where a sweep's previous page ended. */
export interface SweepCursor {
  at: Date;
  id: string;
}
