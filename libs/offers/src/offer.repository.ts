import { Injectable } from '@nestjs/common';
import { Conversation, OPEN_STATUSES } from '@readerdesk/conversations';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Reader } from '@readerdesk/readers';
import { Agent, AgentDepartment } from '@readerdesk/staff';
import { In } from 'typeorm';
import { DepartmentOfferSettings } from './offer-settings.entity';
import { Offer } from './offer.entity';

/** A timestamp from a raw row: a Date on PostgreSQL, UTC text ("2026-11-22 11:43:00.000") on SQLite. */
export function rawTime(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') throw new Error(`not a timestamp: ${typeof value}`);
  const text = value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`).getTime();
}

/** Statuses in which an assigned conversation occupies its agent (capacity). */
export const HELD_STATUSES = OPEN_STATUSES;
/** Statuses in which an unassigned conversation waits in its department's queue. */
export const QUEUED_STATUSES = ['new', 'open'] as const;

@Injectable()
export class OfferRepository extends TenantRepository<Offer> {
  constructor(db: DatabaseService) {
    super(db, Offer, 'Offer');
  }

  /** The offer, locked until the transaction ends on PostgreSQL (SQLite transactions take turns already). */
  async locked(scope: LibraryScope, id: string): Promise<Offer | null> {
    const query = this.query(scope, 'o').andWhere('o.id = :id', { id });
    if (this.db.dialect === 'postgres') query.setLock('pessimistic_write');
    return query.getOne();
  }

  pending(scope: LibraryScope): Promise<Offer[]> {
    return this.find(scope, { status: 'pending' });
  }

  /** Who rejected these conversations or let them time out since `since`. */
  async declinedSince(scope: LibraryScope, conversationIds: string[], since: Date): Promise<Offer[]> {
    if (conversationIds.length === 0) return [];
    return this.query(scope, 'o')
      .andWhere('o.conversationId IN (:...ids)', { ids: conversationIds })
      .andWhere("o.status = 'ended' AND o.endReason IN ('rejected', 'timed_out')")
      .andWhere('o.closedAt > :since', { since: this.timestamp(since) })
      .getMany();
  }

  /** Per agent: the last offer made and the last one accepted. */
  async lastOffers(
    scope: LibraryScope,
    agentIds: string[],
  ): Promise<Map<string, { offered: number; accepted: number }>> {
    const result = new Map<string, { offered: number; accepted: number }>();
    if (agentIds.length === 0) return result;
    const rows: Array<{ agent: string; offered: unknown; accepted: unknown }> = await this.query(scope, 'o')
      .select('o.agentId', 'agent')
      .addSelect('MAX(o.offeredAt)', 'offered')
      .addSelect("MAX(CASE WHEN o.status = 'accepted' THEN o.closedAt END)", 'accepted')
      .andWhere('o.agentId IN (:...agentIds)', { agentIds })
      .groupBy('o.agentId')
      .getRawMany();
    for (const row of rows) result.set(row.agent, { offered: rawTime(row.offered), accepted: rawTime(row.accepted) });
    return result;
  }

  /** Libraries with pending offers or conversations waiting in a department: what the sweep visits. */
  async librariesToSweep(): Promise<string[]> {
    const offers: Array<{ library: string }> = await this.db.manager
      .getRepository(Offer)
      .createQueryBuilder('o')
      .select('DISTINCT o.libraryId', 'library')
      .where("o.status = 'pending'")
      .getRawMany();
    const waiting: Array<{ library: string }> = await this.db.manager
      .getRepository(Conversation)
      .createQueryBuilder('c')
      .select('DISTINCT c.libraryId', 'library')
      .where('c.status IN (:...statuses)', { statuses: [...QUEUED_STATUSES] })
      .andWhere('c.assigneeId IS NULL AND c.departmentId IS NOT NULL')
      .getRawMany();
    return [...new Set([...offers, ...waiting].map((r) => r.library))];
  }
}

@Injectable()
export class OfferSettingsRepository extends TenantRepository<DepartmentOfferSettings> {
  constructor(db: DatabaseService) {
    super(db, DepartmentOfferSettings, 'Offer settings');
  }
}

/** The conversations offers read and hand out (conversations own them; libs/offers reads the queue). */
@Injectable()
export class OfferQueueRepository extends TenantRepository<Conversation> {
  constructor(db: DatabaseService) {
    super(db, Conversation, 'Conversation');
  }

  /** Serialises the library's dispatching across processes until the transaction ends (PostgreSQL; SQLite transactions take turns). */
  async lockLibrary(scope: LibraryScope): Promise<void> {
    if (this.db.dialect !== 'postgres') return;
    if (!this.db.inTransaction) throw new Error('lockLibrary needs a transaction');
    await this.db.manager.query(`SELECT pg_advisory_xact_lock(hashtext('offers'), hashtext($1))`, [scope.libraryId]);
  }

  /** Waiting conversations in queue order (priority, SLA due time, time queued), at most `limit`. */
  queued(scope: LibraryScope, limit: number): Promise<Conversation[]> {
    return this.query(scope, 'c')
      .andWhere('c.status IN (:...statuses)', { statuses: [...QUEUED_STATUSES] })
      .andWhere('c.assigneeId IS NULL AND c.departmentId IS NOT NULL')
      .addSelect(
        "CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END",
        'priority_rank',
      )
      .orderBy('priority_rank', 'ASC')
      .addOrderBy('c.queuedAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Per agent and channel: the conversations they hold (assigned and not resolved). */
  async held(scope: LibraryScope, agentIds: string[]): Promise<Array<{ agentId: string; channel: string; n: number }>> {
    if (agentIds.length === 0) return [];
    const rows: Array<{ agent: string; channel: string; n: string | number }> = await this.query(scope, 'c')
      .select('c.assigneeId', 'agent')
      .addSelect('c.channel', 'channel')
      .addSelect('COUNT(*)', 'n')
      .andWhere('c.assigneeId IN (:...agentIds)', { agentIds })
      .andWhere('c.status IN (:...statuses)', { statuses: [...HELD_STATUSES] })
      .groupBy('c.assigneeId')
      .addGroupBy('c.channel')
      .getRawMany();
    return rows.map((r) => ({ agentId: r.agent, channel: r.channel, n: Number(r.n) }));
  }

  /** What an offer's socket event shows: the conversation's reference and its reader's name. */
  async summaries(
    scope: LibraryScope,
    ids: string[],
  ): Promise<Map<string, { conversation: Conversation; readerName: string | null }>> {
    const result = new Map<string, { conversation: Conversation; readerName: string | null }>();
    if (ids.length === 0) return result;
    const conversations = await this.findByIds(scope, ids);
    const readers = await this.db.manager.getRepository(Reader).find({
      where: { libraryId: scope.libraryId, id: In([...new Set(conversations.map((c) => c.readerId))]) },
      select: { id: true, displayName: true },
    });
    const names = new Map(readers.map((r) => [r.id, r.displayName]));
    for (const c of conversations) result.set(c.id, { conversation: c, readerName: names.get(c.readerId) ?? null });
    return result;
  }
}

/** The members of staff offers may go to: active, available, with their departments. */
@Injectable()
export class OfferAgentRepository extends TenantRepository<Agent> {
  constructor(db: DatabaseService) {
    super(db, Agent, 'Agent');
  }

  async available(scope: LibraryScope): Promise<Array<{ agent: Agent; departmentIds: Set<string> }>> {
    const agents = await this.find(scope, { active: true, presence: 'available' });
    return this.withDepartments(scope, agents);
  }

  /** The agents, whatever their presence, with their departments (to check pending offers against). */
  async byIds(scope: LibraryScope, ids: string[]): Promise<Array<{ agent: Agent; departmentIds: Set<string> }>> {
    return this.withDepartments(scope, await this.findByIds(scope, ids));
  }

  private async withDepartments(
    scope: LibraryScope,
    agents: Agent[],
  ): Promise<Array<{ agent: Agent; departmentIds: Set<string> }>> {
    if (agents.length === 0) return [];
    const memberships = await this.db.manager.getRepository(AgentDepartment).find({
      where: { libraryId: scope.libraryId, agentId: In(agents.map((a) => a.id)) },
    });
    const of = new Map<string, Set<string>>();
    for (const m of memberships) of.set(m.agentId, (of.get(m.agentId) ?? new Set()).add(m.departmentId));
    return agents.map((agent) => ({ agent, departmentIds: of.get(agent.id) ?? new Set() }));
  }
}
