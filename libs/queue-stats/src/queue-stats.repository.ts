import { Injectable } from '@nestjs/common';
import { type Channel, Conversation, Message, OPEN_STATUSES } from '@readerdesk/conversations';
import { DatabaseService, LibraryScope, newRowId, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { bucketOf } from './histogram';
import { COUNTERS, type Counter, type Counters } from './queue-stats.figures';
import { QueueStatsDaily, TRIAGE_KEY } from './queue-stats.entity';

/** Which queue in which local hour of which local day a fact counts for. */
export interface RollupKey {
  departmentId: string | null;
  channel: Channel;
  day: string;
  hour: number;
}

/** A duration that goes into one of the row's histograms. */
export interface RollupDuration {
  histogram: 'firstResponse' | 'resolution';
  ms: number;
}

const COLUMN: Record<Counter, string> = {
  opened: 'opened',
  offered: 'offered',
  accepted: 'accepted',
  rejected: 'rejected',
  timedOut: 'timed_out',
  answered: 'answered',
  answeredWithin: 'answered_within',
  abandoned: 'abandoned',
  shortAbandoned: 'short_abandoned',
  resolved: 'resolved',
};
const HISTOGRAM_COLUMN = { firstResponse: 'first_response_histogram', resolution: 'resolution_histogram' } as const;

/** Statuses in which an unassigned conversation waits in its queue. */
const QUEUED = ['new', 'open'] as const;
/** Statuses in which an assigned conversation occupies its agent (the offers' capacity counts the same). */
const HELD = OPEN_STATUSES;

export interface WaitingRow {
  departmentId: string | null;
  channel: Channel;
  waiting: number;
  oldestWaitingSince: Date | null;
}

export interface BreachCountRow {
  departmentId: string | null;
  channel: Channel;
  breached: number;
}

/** Per SLA target: the conversation's breach and due columns. */
export const BREACH_COLUMNS = [
  ['firstResponseBreachedAt', 'firstResponseDueAt'],
  ['nextResponseBreachedAt', 'nextResponseDueAt'],
  ['resolutionBreachedAt', 'resolutionDueAt'],
] as const satisfies ReadonlyArray<readonly [keyof Conversation, keyof Conversation]>;

export interface LoadRow {
  assigneeId: string;
  channel: Channel;
  conversations: number;
}

/** A timestamp as the driver hands it back from a raw aggregate (a Date on PostgreSQL, UTC text on SQLite). */
function instant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = typeof value === 'string' ? value : (value as Date | number).toString();
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/**
 * The rollup (`queue_stats_daily`) and the few reads of conversations queue statistics need: what
 * waits now and what agents hold now, both through `ix_conversations_queue_stats`, never a count over
 * a library's history.
 */
@Injectable()
export class QueueStatsRepository extends TenantRepository<QueueStatsDaily> {
  constructor(db: DatabaseService) {
    super(db, QueueStatsDaily, 'QueueStatsDaily');
  }

  /**
   * Adds to one queue's hour in one statement: `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`
   * for the counters, and one histogram bucket + 1 when a duration is given. Atomic on both drivers,
   * so concurrent events (api and worker processes) never lose an increment.
   */
  async increment(
    scope: LibraryScope,
    key: RollupKey,
    counters: Partial<Counters>,
    duration?: RollupDuration,
  ): Promise<void> {
    const postgres = this.db.dialect === 'postgres';
    const p = (n: number) => (postgres ? `$${n}` : '?');
    const bucket = duration ? bucketOf(duration.ms) : null;
    // The bucket is an integer this code computed: it goes into the SQL text as a literal, never a client's value.
    const first = duration?.histogram === 'firstResponse' && bucket !== null ? `{"${bucket}":1}` : '{}';
    const resolution = duration?.histogram === 'resolution' && bucket !== null ? `{"${bucket}":1}` : '{}';
    const counterColumns = COUNTERS.map((c) => COLUMN[c]);
    const values = [
      newRowId(),
      scope.libraryId,
      key.departmentId ?? TRIAGE_KEY,
      key.channel,
      key.day,
      key.hour,
      ...COUNTERS.map((c) => counters[c] ?? 0),
      first,
      resolution,
      this.timestamp(new Date()),
    ];
    const columns = [
      'id',
      'library_id',
      'department_id',
      'channel',
      'day',
      'hour',
      ...counterColumns,
      'first_response_histogram',
      'resolution_histogram',
      'updated_at',
    ];
    const sets = COUNTERS.filter((c) => (counters[c] ?? 0) !== 0).map(
      (c) => `${COLUMN[c]} = queue_stats_daily.${COLUMN[c]} + excluded.${COLUMN[c]}`,
    );
    if (duration && bucket !== null) {
      const column = HISTOGRAM_COLUMN[duration.histogram];
      sets.push(
        postgres
          ? `${column} = queue_stats_daily.${column} || jsonb_build_object('${bucket}', COALESCE((queue_stats_daily.${column} ->> '${bucket}')::integer, 0) + 1)`
          : `${column} = json_set(queue_stats_daily.${column}, '$."${bucket}"', COALESCE(json_extract(queue_stats_daily.${column}, '$."${bucket}"'), 0) + 1)`,
      );
    }
    sets.push('updated_at = excluded.updated_at');
    const placeholders = values.map((_, i) => {
      const name = columns[i];
      if (postgres && (name === 'first_response_histogram' || name === 'resolution_histogram'))
        return `${p(i + 1)}::jsonb`;
      return p(i + 1);
    });
    const sql =
      `INSERT INTO queue_stats_daily (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) ` +
      `ON CONFLICT (library_id, department_id, channel, day, hour) DO UPDATE SET ${sets.join(', ')}`;
    // On SQLite every write goes through the transaction queue (one connection, one writer).
    await this.db.transaction((manager) => manager.query(sql, values));
  }

  /** The rollup rows (every hour) of these departments (null: the triage queue) on these local days. */
  async days(scope: LibraryScope, days: string[], departmentIds: Array<string | null>): Promise<QueueStatsDaily[]> {
    if (days.length === 0 || departmentIds.length === 0) return [];
    const rows = await this.find(scope, {
      day: In(days),
      departmentId: In(departmentIds.map((d) => d ?? TRIAGE_KEY)),
    });
    for (const row of rows) {
      // PostgreSQL hands jsonb back parsed; SQLite's json column too, through TypeORM. Counts may be text on neither.
      row.firstResponseHistogram ??= {};
      row.resolutionHistogram ??= {};
    }
    return rows;
  }

  /**
   * Unassigned conversations waiting in these queues now, and since when the longest has waited, per
   * department × channel: a range of `ix_conversations_queue_stats` per department and status.
   */
  async waiting(scope: LibraryScope, departmentIds: Array<string | null>): Promise<WaitingRow[]> {
    const query = this.conversations(scope, departmentIds)
      .select('c.departmentId', 'departmentId')
      .addSelect('c.channel', 'channel')
      .addSelect('COUNT(*)', 'waiting')
      .addSelect('MIN(c.waitingSince)', 'oldest')
      .andWhere('c.status IN (:...queued)', { queued: [...QUEUED] })
      .andWhere('c.assigneeId IS NULL')
      .andWhere('c.waitingSince IS NOT NULL')
      .groupBy('c.departmentId')
      .addGroupBy('c.channel');
    const rows = await query.getRawMany<{
      departmentId: string | null;
      channel: Channel;
      waiting: string | number;
      oldest: unknown;
    }>();
    return rows.map((r) => ({
      departmentId: r.departmentId,
      channel: r.channel,
      waiting: Number(r.waiting),
      oldestWaitingSince: instant(r.oldest),
    }));
  }

  /** Conversations held now (new, open, pending) per assignee and channel, in these departments. */
  async load(scope: LibraryScope, departmentIds: Array<string | null>): Promise<LoadRow[]> {
    const rows = await this.conversations(scope, departmentIds)
      .select('c.assigneeId', 'assigneeId')
      .addSelect('c.channel', 'channel')
      .addSelect('COUNT(*)', 'conversations')
      .andWhere('c.status IN (:...held)', { held: [...HELD] })
      .andWhere('c.assigneeId IS NOT NULL')
      .groupBy('c.assigneeId')
      .addGroupBy('c.channel')
      .getRawMany<{ assigneeId: string; channel: Channel; conversations: string | number }>();
    return rows.map((r) => ({ assigneeId: r.assigneeId, channel: r.channel, conversations: Number(r.conversations) }));
  }

  /**
   * Open conversations in breach of an SLA target now: a breach recorded (by the SLA check) on a
   * target whose clock still runs and whose due time has passed. A met target has no due time, a new
   * next-response cycle clears its breach, and a paused clock (pending) has none either.
   * The counts per department × channel, and the oldest conversations among them.
   */
  async breaches(
    scope: LibraryScope,
    departmentIds: Array<string | null>,
    now: Date,
    limit: number,
  ): Promise<{ counts: BreachCountRow[]; rows: Conversation[] }> {
    const inBreach = (query: ReturnType<QueueStatsRepository['conversations']>) =>
      query
        .andWhere('c.status IN (:...held)', { held: [...HELD] })
        .andWhere(
          `(${BREACH_COLUMNS.map(
            ([breached, due]) => `(c.${breached} IS NOT NULL AND c.${due} IS NOT NULL AND c.${due} <= :now)`,
          ).join(' OR ')})`,
          { now: this.timestamp(now) },
        );
    const [counts, rows] = await Promise.all([
      inBreach(this.conversations(scope, departmentIds))
        .select('c.departmentId', 'departmentId')
        .addSelect('c.channel', 'channel')
        .addSelect('COUNT(*)', 'breached')
        .groupBy('c.departmentId')
        .addGroupBy('c.channel')
        .getRawMany<{ departmentId: string | null; channel: Channel; breached: string | number }>(),
      inBreach(this.conversations(scope, departmentIds))
        .select([
          'c.id',
          'c.number',
          'c.subject',
          'c.departmentId',
          'c.channel',
          'c.priority',
          'c.createdAt',
          ...BREACH_COLUMNS.flatMap(([breached, due]) => [`c.${breached}`, `c.${due}`]),
        ])
        .orderBy('c.createdAt', 'ASC')
        .addOrderBy('c.id', 'ASC')
        .take(limit)
        .getMany(),
    ]);
    return {
      counts: counts.map((r) => ({ departmentId: r.departmentId, channel: r.channel, breached: Number(r.breached) })),
      rows,
    };
  }

  /** The conversation a fact is about (its channel, department and times), or null when it is not the library's. */
  conversation(scope: LibraryScope, id: string): Promise<Conversation | null> {
    return this.db.manager.getRepository(Conversation).findOneBy({ libraryId: scope.libraryId, id });
  }

  /** When a message of the library was written, or null. */
  async messageCreatedAt(scope: LibraryScope, id: string): Promise<Date | null> {
    const message = await this.db.manager
      .getRepository(Message)
      .findOne({ where: { libraryId: scope.libraryId, id }, select: { id: true, createdAt: true } });
    return message?.createdAt ?? null;
  }

  /** Conversations of the library in these departments (null: triage), each department its own index range. */
  private conversations(scope: LibraryScope, departmentIds: Array<string | null>) {
    const named = departmentIds.filter((d): d is string => d !== null);
    const triage = departmentIds.includes(null);
    const query = this.db.manager
      .getRepository(Conversation)
      .createQueryBuilder('c')
      .where('c.libraryId = :libraryId', { libraryId: scope.libraryId });
    if (named.length > 0 && triage)
      query.andWhere('(c.departmentId IN (:...departments) OR c.departmentId IS NULL)', { departments: named });
    else if (named.length > 0) query.andWhere('c.departmentId IN (:...departments)', { departments: named });
    else query.andWhere('c.departmentId IS NULL');
    return query;
  }
}
