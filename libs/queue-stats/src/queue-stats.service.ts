import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  CHANNELS,
  type Channel,
  ConversationAbandoned,
  ConversationOpened,
  ConversationStatusChanged,
  type Conversation,
  ConversationUpdated,
  MessageAppended,
} from '@readerdesk/conversations';
import {
  BREACH_LIST_LIMIT,
  type BreachedTarget,
  type BreachRow,
  type HourFigures,
  type Percentiles,
  type QueueFigures,
  type QueueStatsReport,
} from '@readerdesk/contracts';
import { OfferAccepted, OfferCreated, OfferEnded } from '@readerdesk/offers';
import { Clock, EventBus, ExpiringCache, LibraryScope, libraryScope } from '@readerdesk/platform';
import { type Presence, PRESENCES, PresenceChanged, StaffDirectory } from '@readerdesk/staff';
import { SlaBreached } from '@readerdesk/sla';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { DateTime } from 'luxon';
import { type Histogram, mergeHistograms, percentile } from './histogram';
import {
  addCounters,
  type Counters,
  SERVICE_LEVEL_THRESHOLD_MS,
  serviceLevel,
  SHORT_ABANDON_MS,
  zeroCounters,
} from './queue-stats.figures';
import { TRIAGE_KEY } from './queue-stats.entity';
import { QueueStatsChanged } from './queue-stats.events';
import { BREACH_COLUMNS, type RollupDuration, QueueStatsRepository } from './queue-stats.repository';

/** Supervisors hear of changes at most this often per library (and process). */
export const QUEUE_STATS_PUSH_EVERY_MS = 2000;
const ZONE_CACHE_MS = 60_000;

export type { Percentiles, QueueFigures, QueueStatsReport };

/** Which queues a caller looks at: the departments (all visible ones, or the one asked for) and whether triage. */
export interface QueueView {
  departmentIds: string[];
  triage: boolean;
}

/** The local date and hour of an instant in a time zone (UTC when the zone is unknown). */
export function localHour(at: Date, zone: string): { day: string; hour: number } {
  const zoned = DateTime.fromJSDate(at, { zone });
  const local = zoned.isValid ? zoned : DateTime.fromJSDate(at, { zone: 'utc' });
  return { day: local.toISODate() as string, hour: local.hour };
}

/** The local date of an instant in a time zone (UTC when the zone is unknown). */
export function localDay(at: Date, zone: string): string {
  return localHour(at, zone).day;
}

/** The SLA targets, in the order of BREACH_COLUMNS. */
const BREACH_TARGETS: BreachedTarget[] = ['firstResponse', 'nextResponse', 'resolution'];

/** Figures of one or several queues from their rollup rows and what waits now. */
export function figuresOf(
  counters: Counters,
  firstResponse: Histogram,
  resolution: Histogram,
  waiting: number,
  oldestWaitingSince: Date | null,
  breached: number,
  now: Date,
): QueueFigures {
  return {
    ...counters,
    waiting,
    breached,
    longestWaitMs: oldestWaitingSince ? Math.max(0, now.getTime() - oldestWaitingSince.getTime()) : null,
    serviceLevel: serviceLevel(counters),
    firstResponseMs: { p50: percentile(firstResponse, 0.5), p90: percentile(firstResponse, 0.9) },
    resolutionMs: { p50: percentile(resolution, 0.5), p90: percentile(resolution, 0.9) },
  };
}

/** A conversation in breach as the board lists it: which targets, since when the earliest. */
function breachRowOf(c: Conversation): BreachRow {
  const targets: BreachedTarget[] = [];
  let since: Date | null = null;
  BREACH_COLUMNS.forEach(([breached, due], i) => {
    const at = c[breached];
    if (!at || !c[due]) return;
    targets.push(BREACH_TARGETS[i]);
    if (!since || at < since) since = at;
  });
  return {
    conversationId: c.id,
    number: c.number,
    subject: c.subject,
    departmentId: c.departmentId,
    channel: c.channel,
    priority: c.priority,
    targets,
    breachedAt: (since ?? c.createdAt).toISOString(),
  };
}

/**
 * Live queue statistics. Event handlers keep the day's rollup per department × channel with one
 * atomic upsert each (offers, first answers, resolutions, abandons), in whichever process publishes
 * the event; the report adds what waits now and what agents hold now, read through an index. Every
 * change also arms a per-library timer that announces `QueueStatsChanged` at most every 2 s.
 */
@Injectable()
export class QueueStatsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('QueueStats');
  private readonly zones: ExpiringCache<string>;
  /** Per library: the queues changed since the last announcement, the armed timer, when it last went out. */
  private readonly pushes = new Map<
    string,
    { changed: Set<string | null>; timer: NodeJS.Timeout | null; lastAt: number }
  >();

  constructor(
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly rows: QueueStatsRepository,
    private readonly libraries: LibraryDirectory,
    private readonly staff: StaffDirectory,
  ) {
    this.zones = new ExpiringCache<string>(clock, ZONE_CACHE_MS);
  }

  onModuleInit(): void {
    this.events.subscribe(OfferCreated, (e) =>
      this.count(e.libraryId, e.departmentId, e.channel, e.offeredAt, { offered: 1 }),
    );
    this.events.subscribe(OfferAccepted, (e) =>
      this.count(e.libraryId, e.departmentId, e.channel, e.acceptedAt, { accepted: 1 }),
    );
    this.events.subscribe(OfferEnded, (e) => {
      if (e.reason === 'rejected')
        return this.count(e.libraryId, e.departmentId, e.channel, e.endedAt, { rejected: 1 });
      if (e.reason === 'timed_out')
        return this.count(e.libraryId, e.departmentId, e.channel, e.endedAt, { timedOut: 1 });
      // Handed on or withdrawn: no figure of its own, but what waits may have moved.
      this.changed(e.libraryId, e.departmentId);
      return undefined;
    });
    this.events.subscribe(ConversationAbandoned, (e) =>
      this.count(e.libraryId, e.departmentId, e.channel, e.at, {
        abandoned: 1,
        shortAbandoned: e.waitedMs < SHORT_ABANDON_MS ? 1 : 0,
      }),
    );
    this.events.subscribe(MessageAppended, (e) => {
      if (e.kind === 'outbound' && e.authorAgentId !== null)
        return this.onStaffReply(e.libraryId, e.conversationId, e.messageId);
      return undefined;
    });
    this.events.subscribe(ConversationStatusChanged, (e) => {
      if (e.to === 'resolved') return this.onResolved(e.libraryId, e.conversationId);
      this.changed(e.libraryId, e.departmentId);
      return undefined;
    });
    this.events.subscribe(ConversationOpened, (e) =>
      this.count(e.libraryId, e.departmentId, e.channel, this.clock.now(), { opened: 1 }),
    );
    this.events.subscribe(SlaBreached, (e) => this.changed(e.libraryId, e.departmentId));
    this.events.subscribe(ConversationUpdated, (e) => {
      if (!e.changed.includes('assigneeId') && !e.changed.includes('departmentId')) return;
      this.changed(e.libraryId, e.departmentId);
      if (e.previousDepartmentId !== e.departmentId) this.changed(e.libraryId, e.previousDepartmentId);
    });
    this.events.subscribe(PresenceChanged, (e) => this.changed(e.libraryId, undefined));
  }

  onApplicationShutdown(): void {
    for (const push of this.pushes.values()) if (push.timer) clearTimeout(push.timer);
    this.pushes.clear();
  }

  /** The day's figures of the queues in view, what waits in them now, and their agents. */
  async report(scope: LibraryScope, view: QueueView): Promise<QueueStatsReport> {
    const now = this.clock.now();
    const timeZone = await this.zoneOf(scope.libraryId);
    const day = localDay(now, timeZone);
    const keys: Array<string | null> = [...view.departmentIds, ...(view.triage ? [null] : [])];
    const [rollups, waiting, load, roster, breaches] = await Promise.all([
      this.rows.days(scope, [day], keys),
      keys.length > 0 ? this.rows.waiting(scope, keys) : Promise.resolve([]),
      keys.length > 0 ? this.rows.load(scope, keys) : Promise.resolve([]),
      this.staff.roster(scope, view.departmentIds),
      keys.length > 0
        ? this.rows.breaches(scope, keys, now, BREACH_LIST_LIMIT)
        : Promise.resolve({ counts: [], rows: [] }),
    ]);

    interface Acc {
      departmentId: string | null;
      channel: Channel;
      counters: Counters;
      firstResponse: Histogram[];
      resolution: Histogram[];
      waiting: number;
      oldest: Date | null;
      breached: number;
    }
    const queues = new Map<string, Acc>();
    const accOf = (departmentId: string | null, channel: Channel): Acc => {
      const key = `${departmentId ?? ''}|${channel}`;
      let acc = queues.get(key);
      if (!acc) {
        acc = {
          departmentId,
          channel,
          counters: zeroCounters(),
          firstResponse: [],
          resolution: [],
          waiting: 0,
          oldest: null,
          breached: 0,
        };
        queues.set(key, acc);
      }
      return acc;
    };
    const hours = Array.from({ length: 24 }, () => ({ opened: 0, answered: 0, firstResponse: [] as Histogram[] }));
    for (const row of rollups) {
      const acc = accOf(row.departmentId === TRIAGE_KEY ? null : row.departmentId, row.channel);
      addCounters(acc.counters, row);
      acc.firstResponse.push(row.firstResponseHistogram);
      acc.resolution.push(row.resolutionHistogram);
      const hour = hours[Math.min(23, Math.max(0, Number(row.hour) || 0))];
      hour.opened += row.opened;
      hour.answered += row.answered;
      hour.firstResponse.push(row.firstResponseHistogram);
    }
    for (const row of breaches.counts) accOf(row.departmentId, row.channel).breached += row.breached;
    for (const row of waiting) {
      const acc = accOf(row.departmentId, row.channel);
      acc.waiting += row.waiting;
      if (row.oldestWaitingSince && (!acc.oldest || row.oldestWaitingSince < acc.oldest))
        acc.oldest = row.oldestWaitingSince;
    }
    const order = (d: string | null) => (d === null ? -1 : view.departmentIds.indexOf(d));
    const list = [...queues.values()].sort(
      (a, b) =>
        order(a.departmentId) - order(b.departmentId) || CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel),
    );
    const all = list.reduce(
      (total, q) => {
        addCounters(total.counters, q.counters);
        total.firstResponse.push(...q.firstResponse);
        total.resolution.push(...q.resolution);
        total.waiting += q.waiting;
        total.breached += q.breached;
        if (q.oldest && (!total.oldest || q.oldest < total.oldest)) total.oldest = q.oldest;
        return total;
      },
      {
        counters: zeroCounters(),
        firstResponse: [] as Histogram[],
        resolution: [] as Histogram[],
        waiting: 0,
        oldest: null as Date | null,
        breached: 0,
      },
    );

    const loadOf = new Map<string, Partial<Record<Channel, number>>>();
    for (const row of load) {
      const entry = loadOf.get(row.assigneeId) ?? {};
      entry[row.channel] = (entry[row.channel] ?? 0) + row.conversations;
      loadOf.set(row.assigneeId, entry);
    }
    const byPresence = () => Object.fromEntries(PRESENCES.map((p) => [p, 0])) as Record<Presence, number>;
    const departments = view.departmentIds.map((departmentId) => {
      const agents = byPresence();
      for (const member of roster) if (member.departmentIds.includes(departmentId)) agents[member.presence] += 1;
      return { departmentId, agents };
    });

    return {
      day,
      timeZone,
      generatedAt: now.toISOString(),
      serviceLevelThresholdsMs: SERVICE_LEVEL_THRESHOLD_MS,
      shortAbandonMs: SHORT_ABANDON_MS,
      queues: list.map((q) => ({
        departmentId: q.departmentId,
        channel: q.channel,
        ...figuresOf(
          q.counters,
          mergeHistograms(q.firstResponse),
          mergeHistograms(q.resolution),
          q.waiting,
          q.oldest,
          q.breached,
          now,
        ),
      })),
      totals: figuresOf(
        all.counters,
        mergeHistograms(all.firstResponse),
        mergeHistograms(all.resolution),
        all.waiting,
        all.oldest,
        all.breached,
        now,
      ),
      departments,
      hours: hours.map((h, hour): HourFigures => {
        const merged = mergeHistograms(h.firstResponse);
        return {
          hour,
          opened: h.opened,
          answered: h.answered,
          firstResponseMs: { p50: percentile(merged, 0.5), p90: percentile(merged, 0.9) },
        };
      }),
      breaches: breaches.rows.map(breachRowOf),
      agents: roster.map((member) => ({
        agentId: member.id,
        displayName: member.displayName,
        presence: member.presence,
        presenceChangedAt: member.presenceChangedAt?.toISOString() ?? null,
        departmentIds: member.departmentIds,
        load: loadOf.get(member.id) ?? {},
        capacity: member.capacity,
      })),
    };
  }

  /** The first staff reply of a conversation is its answer: counted once, on the day it happened. */
  private async onStaffReply(libraryId: string, conversationId: string, messageId: string): Promise<void> {
    const scope = libraryScope(libraryId);
    const conversation = await this.rows.conversation(scope, conversationId);
    if (!conversation?.firstResponseAt) return;
    // ConversationService.reply writes the reply with the instant it sets as first_response_at: equal only for the first.
    const writtenAt = await this.rows.messageCreatedAt(scope, messageId);
    if (!writtenAt || writtenAt.getTime() !== conversation.firstResponseAt.getTime()) {
      this.changed(libraryId, conversation.departmentId);
      return;
    }
    const ms = Math.max(0, conversation.firstResponseAt.getTime() - conversation.createdAt.getTime());
    const within = ms <= SERVICE_LEVEL_THRESHOLD_MS[conversation.channel] ? 1 : 0;
    await this.count(
      libraryId,
      conversation.departmentId,
      conversation.channel,
      conversation.firstResponseAt,
      { answered: 1, answeredWithin: within },
      { histogram: 'firstResponse', ms },
    );
  }

  /** A resolution, with its time from the first message (the same wall-clock figure as `resolution_ms`). */
  private async onResolved(libraryId: string, conversationId: string): Promise<void> {
    const conversation = await this.rows.conversation(libraryScope(libraryId), conversationId);
    if (!conversation) return;
    const at = conversation.resolvedAt ?? this.clock.now();
    const ms = Math.max(0, at.getTime() - conversation.createdAt.getTime());
    await this.count(
      libraryId,
      conversation.departmentId,
      conversation.channel,
      at,
      { resolved: 1 },
      { histogram: 'resolution', ms },
    );
  }

  private async count(
    libraryId: string,
    departmentId: string | null,
    channel: Channel,
    at: string | Date,
    counters: Partial<Counters>,
    duration?: RollupDuration,
  ): Promise<void> {
    const instant = typeof at === 'string' ? new Date(at) : at;
    const { day, hour } = localHour(
      Number.isNaN(instant.getTime()) ? this.clock.now() : instant,
      await this.zoneOf(libraryId),
    );
    await this.rows.increment(libraryScope(libraryId), { departmentId, channel, day, hour }, counters, duration);
    this.changed(libraryId, departmentId);
  }

  private zoneOf(libraryId: string): Promise<string> {
    return this.zones.get(libraryId, async () => (await this.libraries.findById(libraryId))?.timeZone ?? 'UTC');
  }

  /**
   * Notes that a queue moved (undefined: staffing, no queue in particular) and makes sure an
   * announcement follows: at once when none went out in the last 2 s, else when 2 s have passed.
   * Real time, not the desk's Clock: this paces sockets, it is not a fact about conversations.
   */
  private changed(libraryId: string, departmentId: string | null | undefined): void {
    let push = this.pushes.get(libraryId);
    if (!push) {
      push = { changed: new Set(), timer: null, lastAt: 0 };
      this.pushes.set(libraryId, push);
    }
    if (departmentId !== undefined) push.changed.add(departmentId);
    if (push.timer) return;
    const entry = push;
    const delay = Math.max(0, entry.lastAt + QUEUE_STATS_PUSH_EVERY_MS - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.lastAt = Date.now();
      const departmentIds = [...entry.changed];
      entry.changed.clear();
      try {
        this.events.publish(QueueStatsChanged, { libraryId, departmentIds, at: new Date(entry.lastAt).toISOString() });
      } catch (error) {
        this.logger.warn(`could not announce queue statistics: ${String(error)}`);
      }
    }, delay);
    entry.timer.unref();
  }
}
