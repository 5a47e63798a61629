import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, In, LessThanOrEqual } from 'typeorm';
import { Conversation } from './conversation.entity';
import { ConversationFilter, ConversationOrder, ConversationPageAfter, ftsMatch } from './conversation-search';
import { OPEN_STATUSES } from './conversation-status';

/** Each order's key (column names: the expressions are SQL) and direction. */
const ORDERS: Record<ConversationOrder, { key: string; direction: 'ASC' | 'DESC' }> = {
  activity: { key: 'c.last_message_at', direction: 'DESC' },
  newest: { key: 'c.created_at', direction: 'DESC' },
  waiting: { key: 'c.waiting_since', direction: 'ASC' },
  due: { key: 'COALESCE(c.first_response_due_at, c.next_response_due_at, c.resolution_due_at)', direction: 'ASC' },
};
const OPEN_SQL = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');
import { ONGOING_STATUSES } from './conversation-status';

@Injectable()
export class ConversationRepository extends TenantRepository<Conversation> {
  constructor(db: DatabaseService) {
    super(db, Conversation, 'Conversation');
  }

  /**
   * Takes `count` consecutive reference numbers of the library and returns the first. The counter
   * row is updated in a statement of its own outside the caller's transaction (on PostgreSQL), so
   * the row lock lasts that statement and concurrent openings never queue behind each other's
   * commits; a conversation that is rolled back leaves its number unused, as a deleted ticket does
   * in other desks. The counter never falls behind the numbers in the table (an import, a restore):
   * it starts above the highest one. The unique index on (library, number) stays the final arbiter.
   */
  async allocateNumbers(scope: LibraryScope, count = 1): Promise<number> {
    const postgres = this.db.dialect === 'postgres';
    const highest = (p: string) => `(SELECT COALESCE(MAX(c.number), 0) FROM conversations c WHERE c.library_id = ${p})`;
    const sql = postgres
      ? `INSERT INTO conversation_counters (library_id, last_number) VALUES ($1, ${highest('$1')} + $2)
         ON CONFLICT (library_id) DO UPDATE
           SET last_number = GREATEST(conversation_counters.last_number, ${highest('$1')}) + $2
         RETURNING last_number`
      : `INSERT INTO conversation_counters (library_id, last_number) VALUES (?, ${highest('?')} + ?)
         ON CONFLICT (library_id) DO UPDATE
           SET last_number = MAX(conversation_counters.last_number, ${highest('?')}) + ?
         RETURNING last_number`;
    const params = postgres
      ? [scope.libraryId, count]
      : [scope.libraryId, scope.libraryId, count, scope.libraryId, count];
    const rows = await this.db.outsideTransaction<{ last_number: number | string }>(sql, params);
    return Number(rows[0].last_number) - count + 1;
  }

  findByNumber(scope: LibraryScope, number: number): Promise<Conversation | null> {
    return this.findOne(scope, { number });
  }

  /** The reader's most recent conversation in this inbox that is still going (not closed). */
  async latestOngoing(scope: LibraryScope, readerId: string, inboxId: string): Promise<Conversation | null> {
    const [latest] = await this.find(
      scope,
      { readerId, inboxId, status: In([...ONGOING_STATUSES]) },
      { lastMessageAt: 'DESC' },
      1,
    );
    return latest ?? null;
  }

  /** What `latestOngoing` finds, for many readers and inboxes in one read: keyed by reader and inbox. */
  async latestOngoingOfMany(
    scope: LibraryScope,
    readerIds: string[],
    inboxIds: string[],
  ): Promise<Map<string, Conversation>> {
    const latest = new Map<string, Conversation>();
    if (readerIds.length === 0 || inboxIds.length === 0) return latest;
    const rows = await this.find(
      scope,
      { readerId: In(readerIds), inboxId: In(inboxIds), status: In([...ONGOING_STATUSES]) },
      { lastMessageAt: 'DESC' },
    );
    for (const c of rows)
      if (!latest.has(ongoingKey(c.readerId, c.inboxId))) latest.set(ongoingKey(c.readerId, c.inboxId), c);
    return latest;
  }

  /**
   * Inside a transaction, before a conversation is opened for readers who had no ongoing one: waits
   * for any other transaction holding the lock of the same (inbox, reader) and holds it until this
   * one ends (PostgreSQL advisory locks, one statement for all keys, taken in one order so that two
   * batches never deadlock on each other). Read again after it, `latestOngoing` sees what the other
   * transaction committed, so two first contacts of one reader never both open one. SQLite
   * transactions take turns already. A hash collision only makes two unrelated readers wait.
   */
  async lockOngoing(keys: Array<{ readerId: string; inboxId: string }>): Promise<void> {
    if (this.db.dialect !== 'postgres' || keys.length === 0) return;
    if (!this.db.inTransaction) throw new Error('lockOngoing needs a transaction');
    await this.db.manager.query(
      `SELECT pg_advisory_xact_lock(k.inbox_key, k.reader_key) FROM (
         SELECT DISTINCT hashtext(t.inbox_id) AS inbox_key, hashtext(t.reader_id) AS reader_key
         FROM unnest($1::text[], $2::text[]) AS t(inbox_id, reader_id) ORDER BY 1, 2) k`,
      [keys.map((k) => k.inboxId), keys.map((k) => k.readerId)],
    );
  }

  /**
   * One page of conversations in an order (see ConversationOrder), filtered and limited to the departments
   * the caller may see ('all', or a set: those departments plus the unclaimed ones). Keyset pagination on
   * (key, id), rows without a key last, so pages stay stable while new messages arrive.
   */
  async page(
    scope: LibraryScope,
    filter: ConversationFilter,
    visible: Set<string> | 'all',
    limit: number,
    after?: ConversationPageAfter,
    order: ConversationOrder = 'activity',
  ): Promise<Conversation[]> {
    const q = this.filtered(scope, filter, visible);
    const { key, direction } = ORDERS[order];
    const cmp = direction === 'DESC' ? '<' : '>';
    if (after && after.key !== null) {
      const at = this.timestamp(after.key);
      q.andWhere(
        new Brackets((b) => {
          b.where(`${key} ${cmp} :afterKey`, { afterKey: at })
            .orWhere(`${key} = :afterKey AND c.id ${cmp} :afterId`, { afterId: after.id })
            .orWhere(`${key} IS NULL`);
        }),
      );
    } else if (after) {
      q.andWhere(`${key} IS NULL AND c.id ${cmp} :afterId`, { afterId: after.id });
    }
    // Rows without a key last whatever the direction: (key IS NULL) orders false before true.
    return q
      .addSelect(`CASE WHEN ${key} IS NULL THEN 1 ELSE 0 END`, 'no_key')
      .addSelect(key, 'sort_key')
      .orderBy('no_key', 'ASC')
      .addOrderBy('sort_key', direction)
      .addOrderBy('c.id', direction)
      .take(limit)
      .getMany();
  }

  /** How many conversations each queue view holds for one agent: open ones held by them, by nobody, all open; all. */
  async counts(
    scope: LibraryScope,
    visible: Set<string> | 'all',
    agentId: string,
  ): Promise<{ mine: number; unassigned: number; departments: number; all: number }> {
    const row = await this.filtered(scope, {}, visible)
      .select('COUNT(*)', 'all')
      .addSelect(`SUM(CASE WHEN c.status IN (${OPEN_SQL}) THEN 1 ELSE 0 END)`, 'departments')
      .addSelect(`SUM(CASE WHEN c.status IN (${OPEN_SQL}) AND c.assignee_id IS NULL THEN 1 ELSE 0 END)`, 'unassigned')
      .addSelect(`SUM(CASE WHEN c.status IN (${OPEN_SQL}) AND c.assignee_id = :countAgent THEN 1 ELSE 0 END)`, 'mine')
      .setParameter('countAgent', agentId)
      .getRawOne<Record<string, string | number | null>>();
    const n = (v: string | number | null | undefined): number => Number(v ?? 0);
    return { mine: n(row?.mine), unassigned: n(row?.unassigned), departments: n(row?.departments), all: n(row?.all) };
  }

  /** The library's conversations the filter and the caller's departments let through. */
  private filtered(scope: LibraryScope, filter: ConversationFilter, visible: Set<string> | 'all') {
    const q = this.query(scope, 'c');
    if (filter.status?.length) q.andWhere('c.status IN (:...statuses)', { statuses: filter.status });
    if (filter.channel) q.andWhere('c.channel = :channel', { channel: filter.channel });
    if (filter.priority) q.andWhere('c.priority = :priority', { priority: filter.priority });
    if (filter.departmentId) q.andWhere('c.departmentId = :departmentId', { departmentId: filter.departmentId });
    if (filter.readerId) q.andWhere('c.readerId = :readerId', { readerId: filter.readerId });
    if (filter.assigneeId === null) q.andWhere('c.assigneeId IS NULL');
    else if (filter.assigneeId) q.andWhere('c.assigneeId = :assigneeId', { assigneeId: filter.assigneeId });
    if (filter.tag) {
      if (this.db.dialect === 'postgres') {
        q.andWhere('c.tags @> CAST(:tagJson AS jsonb)', { tagJson: JSON.stringify([filter.tag]) });
      } else {
        q.andWhere('EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value = :tag)', { tag: filter.tag });
      }
    }
    if (filter.createdFrom)
      q.andWhere('c.createdAt >= :createdFrom', { createdFrom: this.timestamp(filter.createdFrom) });
    if (filter.createdBefore) {
      q.andWhere('c.createdAt < :createdBefore', { createdBefore: this.timestamp(filter.createdBefore) });
    }
    if (filter.text !== undefined) {
      if (this.db.dialect === 'postgres') {
        // The same expression as the index ix_messages_search (migration MessageSearch), so the planner uses it.
        q.andWhere(
          `c.id IN (SELECT m.conversation_id FROM messages m WHERE m.library_id = :searchLibrary AND ` +
            `to_tsvector('simple'::regconfig, coalesce(m.subject, '') || ' ' || coalesce(m.text, '')) ` +
            `@@ plainto_tsquery('simple'::regconfig, :searchText))`,
          { searchLibrary: scope.libraryId, searchText: filter.text },
        );
      } else {
        q.andWhere(
          'c.id IN (SELECT s.conversation_id FROM messages_search s WHERE messages_search MATCH :searchMatch ' +
            'AND s.library_id = :searchLibrary)',
          { searchLibrary: scope.libraryId, searchMatch: ftsMatch(filter.text) },
        );
      }
    }
    return this.inDepartments(q, 'c.departmentId', visible);
  }

  /** Ends a snooze that is due: true only for the one update that did it (a job and the sweep may both try). */
  async wakeIfDue(scope: LibraryScope, id: string, now: Date): Promise<boolean> {
    const affected = await this.updateWhere(
      scope,
      { id, status: 'snoozed', snoozedUntil: LessThanOrEqual(this.timestamp(now)) as never },
      { status: 'open', snoozedUntil: null },
    );
    return affected === 1;
  }

  /** Snoozes of every library that are due: one range scan of ix_conversations_snoozed, oldest first, bounded. */
  async dueSnoozes(now: Date, limit: number): Promise<Array<{ id: string; libraryId: string }>> {
    const rows = await this.db.manager
      .getRepository(Conversation)
      .createQueryBuilder('c')
      .select(['c.id', 'c.libraryId'])
      .where('c.snoozedUntil <= :now', { now: this.timestamp(now) })
      .andWhere('c.status = :status', { status: 'snoozed' })
      .orderBy('c.snoozedUntil', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map((row) => ({ id: row.id, libraryId: row.libraryId }));
  }
}

/** The key of `latestOngoingOfMany`'s map. */
export function ongoingKey(readerId: string, inboxId: string): string {
  return `${readerId}\u0000${inboxId}`;
}
