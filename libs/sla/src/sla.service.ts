import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { BusinessCalendar, CalendarService } from '@readerdesk/calendars';
import {
  type Conversation,
  ConversationOpened,
  ConversationService,
  ConversationStatusChanged,
  type ConversationStatus,
  ConversationUpdated,
  MessageAppended,
} from '@readerdesk/conversations';
import {
  Clock,
  DatabaseService,
  Environment,
  EventBus,
  JobHandler,
  LibraryScope,
  KeyedTurns,
  libraryScope,
  QueueService,
} from '@readerdesk/platform';
import { DepartmentBranchChanged } from '@readerdesk/staff';
import { LibraryDirectory } from '@readerdesk/tenancy';
import {
  applyEvent,
  type ClockEvent,
  emptyState,
  SLA_TARGETS,
  type SlaClockState,
  type SlaTarget,
  type SlaTargetsMs,
  stateOf,
  withInstants,
} from './sla-clock';
import { type RecordedColumn, SlaClockRepository, type SweepCursor } from './sla-clock.repository';
import type { SlaPolicy } from './sla-policy.entity';
import { SlaPolicyService } from './sla-policy.service';
import { type SlaAlert, SlaBreached, SlaWarning } from './sla.events';
import { CheckSlaJob, SweepSlaJob } from './sla.jobs';
import { batchesOf } from './sweep-batches';

/** How often the worker looks for warnings and breaches no job announced. */
export const SLA_SWEEP_EVERY_MS = 60_000;
/** Rows per page of the sweep, and checks at once (each holds one of the pool's connections while it runs). */
export const SWEEP_BATCH = 500;
export const SWEEP_CONCURRENCY = 4;
/** Conversations of one library checked in one transaction by the sweep. */
export const CHECK_BATCH = 50;
const MINUTE = 60_000;

const COLUMNS: Record<SlaTarget, { due: keyof Conversation; warned: RecordedColumn; breached: RecordedColumn }> = {
  firstResponse: { due: 'firstResponseDueAt', warned: 'firstResponseWarnedAt', breached: 'firstResponseBreachedAt' },
  nextResponse: { due: 'nextResponseDueAt', warned: 'nextResponseWarnedAt', breached: 'nextResponseBreachedAt' },
  resolution: { due: 'resolutionDueAt', warned: 'resolutionWarnedAt', breached: 'resolutionBreachedAt' },
};

const RUNNING: readonly ConversationStatus[] = ['new', 'open'];

function targetsOf(policy: SlaPolicy | null): SlaTargetsMs | null {
  if (!policy) return null;
  const ms = (minutes: number | null) => (minutes === null ? null : minutes * MINUTE);
  return {
    firstResponse: ms(policy.firstResponseMinutes),
    nextResponse: ms(policy.nextResponseMinutes),
    resolution: ms(policy.resolutionMinutes),
    warnAt: policy.warnAt,
  };
}

function statusEvent(from: ConversationStatus, to: ConversationStatus): ClockEvent | null {
  if (to === 'closed') return { kind: 'closed' };
  if (to === 'resolved') return { kind: 'resolved' };
  if (to === 'pending' || to === 'snoozed') return { kind: 'paused' };
  if (RUNNING.includes(to) && !RUNNING.includes(from)) return { kind: 'resumed' };
  return null;
}

/** What a check of one locked row found (`SlaService.findDue`). */
interface DueFound {
  row: Conversation;
  changes: Partial<Conversation>;
  alerts: Array<{ type: 'sla_warning' | 'sla_breached'; alert: SlaAlert }>;
  next: Date | null;
}

/**
 * SLA clocks of conversations: reacts to their events (in whichever process publishes them), keeps
 * the due-time columns and the clock state on the row, and wakes itself with delayed jobs at each
 * warn and due instant. The database is the truth: a job only calls `check`, which records a
 * warning or breach once (a conditional update), and the sweep every minute does the same for every
 * row whose `sla_next_check_at` has passed, so a lost job only delays an alert by up to a minute.
 */
@Injectable()
export class SlaService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Sla');
  /** Events of one conversation are applied one after the other in this process. */
  private readonly chains = new KeyedTurns();
  /** Settable so that tests page with a few rows. */
  sweepBatch = SWEEP_BATCH;
  sweepConcurrency = SWEEP_CONCURRENCY;
  checkBatch = CHECK_BATCH;

  constructor(
    private readonly env: Environment,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: QueueService,
    private readonly rows: SlaClockRepository,
    private readonly policies: SlaPolicyService,
    private readonly calendars: CalendarService,
    private readonly libraries: LibraryDirectory,
    private readonly conversations: ConversationService,
  ) {}

  onModuleInit(): void {
    // The bus starts every handler without waiting for the others; `move` serialises one conversation's events.
    this.events.subscribe(ConversationOpened, (e) =>
      this.move(libraryScope(e.libraryId), e.conversationId, (row) => ({
        kind: 'opened',
        running: RUNNING.includes(row.status),
      })),
    );
    this.events.subscribe(ConversationStatusChanged, (e) =>
      this.move(libraryScope(e.libraryId), e.conversationId, () => statusEvent(e.from, e.to)),
    );
    this.events.subscribe(MessageAppended, (e) => {
      if (e.kind === 'outbound' && e.authorAgentId !== null)
        return this.move(libraryScope(e.libraryId), e.conversationId, () => ({ kind: 'staff-replied' }));
      // The message that opened the conversation: ConversationOpened started the clocks (one transaction, not two).
      if (e.kind === 'inbound' && !e.opensConversation)
        return this.move(libraryScope(e.libraryId), e.conversationId, (row) => ({
          kind: 'reader-wrote',
          running: RUNNING.includes(row.status),
        }));
      // Automatic replies (no author) answer nobody: the first-response clock keeps running.
      return undefined;
    });
    this.events.subscribe(ConversationUpdated, (e) => {
      if (!e.changed.includes('priority') && !e.changed.includes('departmentId')) return undefined;
      return this.move(libraryScope(e.libraryId), e.conversationId, () => ({ kind: 'retargeted' }));
    });
    // Its branch's opening hours now apply (the calendar cache forgot the library on the same event).
    this.events.subscribe(DepartmentBranchChanged, async (e) => {
      await this.recomputeDepartment(libraryScope(e.libraryId), e.departmentId);
    });
  }

  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    void Promise.all([
      this.queue.schedule(SweepSlaJob, 'sla-sweep', {}, { everyMs: SLA_SWEEP_EVERY_MS }),
      this.queue.add(SweepSlaJob, {}, { jobId: 'sla-sweep-at-start' }),
    ]).catch((error: unknown) => this.logger.error(`could not schedule the SLA sweep: ${String(error)}`));
  }

  /** Recomputes the clocks of a conversation (after its policy, department or calendar changed). */
  recompute(scope: LibraryScope, conversationId: string): Promise<void> {
    return this.move(scope, conversationId, () => ({ kind: 'retargeted' }));
  }

  /** Recomputes the clocks of every conversation of the department that is not resolved or closed; returns how many. */
  async recomputeDepartment(scope: LibraryScope, departmentId: string): Promise<number> {
    let after: string | null = null;
    let count = 0;
    for (;;) {
      const ids = await this.rows.unfinishedInDepartment(scope, departmentId, after, SWEEP_BATCH);
      for (const id of ids) await this.recompute(scope, id);
      count += ids.length;
      if (ids.length < SWEEP_BATCH) return count;
      after = ids[ids.length - 1];
    }
  }

  @JobHandler(CheckSlaJob)
  async onCheck(payload: { libraryId: string; conversationId: string }): Promise<void> {
    await this.check(libraryScope(payload.libraryId), payload.conversationId);
  }

  @JobHandler(SweepSlaJob)
  async onSweep(): Promise<void> {
    await this.sweep();
  }

  /**
   * Checks every conversation of every library whose next warning or breach is due, a page at a time in
   * (sla_next_check_at, id) order, returns how many it checked. A page is checked in batches of one library's
   * conversations (`checkMany`: one transaction, one lock statement, one update per set of changed columns, one
   * insert of timeline events), a few batches at once. A batch that fails is checked again one conversation at a
   * time, so that one bad row holds up none of the others; a check that fails then is logged and left to the next
   * sweep: the cursor moves past it.
   */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    let checked = 0;
    let failed = 0;
    let cursor: SweepCursor | null = null;
    let page = await this.rows.dueForCheck(now, this.sweepBatch, cursor);
    while (page.length > 0) {
      const last = page[page.length - 1];
      cursor = { at: last.slaNextCheckAt, id: last.id };
      // The next page is read while this one is checked (the cursor does not depend on the checks).
      const next =
        page.length < this.sweepBatch ? Promise.resolve([]) : this.rows.dueForCheck(now, this.sweepBatch, cursor);
      next.catch(() => undefined);
      const batches = batchesOf(page, this.checkBatch);
      let index = 0;
      const lane = async () => {
        while (index < batches.length) {
          const { libraryId, ids } = batches[index++];
          const scope = libraryScope(libraryId);
          try {
            await this.checkMany(scope, ids);
          } catch (error) {
            this.logger.warn(
              `SLA checks of ${ids.length} conversations failed together; one at a time: ${String(error)}`,
            );
            for (const id of ids) {
              try {
                await this.check(scope, id);
              } catch (single) {
                failed++;
                this.logger.error(`SLA check of conversation ${id} failed (the next sweep retries): ${String(single)}`);
              }
            }
          }
          checked += ids.length;
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.sweepConcurrency, batches.length)) }, lane));
      page = await next;
    }
    if (failed > 0) this.logger.warn(`SLA sweep: ${failed} of ${checked} checks failed`);
    return checked;
  }

  /**
   * Records what is due now and not recorded yet: a warning at the policy's share, a breach at the
   * due time (each once, whoever calls: a job, the sweep, both), and moves `sla_next_check_at` on.
   */
  check(scope: LibraryScope, conversationId: string): Promise<void> {
    return this.chains.run(conversationId, async () => {
      const later = await this.db.transaction(async () => {
        const locked = await this.rows.locked(scope, conversationId);
        if (!locked || !stateOf(locked.slaClock)) return [];
        const found = await this.findDue(scope, locked);
        await this.rows.update(scope, conversationId, found.changes);
        await this.record(scope, [found]);
        return found.next ? [found.next] : [];
      });
      await this.wake(scope, conversationId, later);
    });
  }

  /**
   * `check` for several conversations of one library in one transaction: the rows locked with one statement (in id
   * order, so that two batches cannot deadlock), stored with one update per set of changed columns, their timeline
   * events inserted together. Under the rows' locks (PostgreSQL) or SQLite's serialised transactions, what the locked
   * rows say is recorded is the truth, so each warning and breach is still recorded once.
   */
  async checkMany(scope: LibraryScope, conversationIds: readonly string[]): Promise<void> {
    const found = await this.db.transaction(async () => {
      const locked = await this.rows.lockedMany(scope, conversationIds);
      const all: DueFound[] = [];
      for (const row of locked) if (stateOf(row.slaClock)) all.push(await this.findDue(scope, row));
      await this.rows.updateMany(
        scope,
        all.map((f) => ({ id: f.row.id, changes: f.changes })),
      );
      await this.record(scope, all);
      return all;
    });
    for (const f of found) await this.wake(scope, f.row.id, f.next ? [f.next] : []);
  }

  /**
   * What a check of the locked row finds: its due times again with the policy and calendar in force now (an edited
   * or deleted policy, or new opening hours, count from here, and a stale due time never raises an alert), the
   * warnings and breaches due and not recorded yet, and the next instant to look again. Writes nothing.
   */
  private async findDue(scope: LibraryScope, locked: Conversation): Promise<DueFound> {
    const { row, state, changes } = await this.computed(scope, locked, { kind: 'retargeted' });
    const now = this.clock.now();
    const alerts: DueFound['alerts'] = [];
    for (const target of SLA_TARGETS) {
      const clock = state.clocks[target];
      const dueAt = clock?.dueAt ? new Date(clock.dueAt) : null;
      if (!clock || !dueAt) continue;
      const alert = {
        libraryId: scope.libraryId,
        conversationId: row.id,
        departmentId: row.departmentId,
        target,
        policyId: row.slaAppliedPolicyId,
        dueAt: dueAt.toISOString(),
      };
      const { warned, breached } = COLUMNS[target];
      if (clock.warnAt && new Date(clock.warnAt) <= now && row[warned] === null) {
        row[warned] = now;
        changes[warned] = now;
        alerts.push({ type: 'sla_warning', alert });
      }
      if (dueAt <= now && row[breached] === null) {
        row[breached] = now;
        changes[breached] = now;
        alerts.push({ type: 'sla_breached', alert });
      }
    }
    const next = this.nextCheck(row, state);
    changes.slaNextCheckAt = next;
    return { row: { ...row, slaNextCheckAt: next }, changes, alerts, next };
  }

  /** The timeline events of what checks found (one insert), and their alerts (published when the transaction commits). */
  private async record(scope: LibraryScope, found: readonly DueFound[]): Promise<void> {
    const events = found.flatMap((f) =>
      f.alerts.map(({ type, alert }) => ({
        conversation: f.row,
        data: { type, target: alert.target, dueAt: alert.dueAt },
      })),
    );
    if (events.length === 0) return;
    await this.conversations.recordSystemEvents(scope, 'sla', events);
    for (const f of found)
      for (const { type, alert } of f.alerts)
        this.events.publish(type === 'sla_warning' ? SlaWarning : SlaBreached, alert);
  }

  private move(
    scope: LibraryScope,
    conversationId: string,
    eventOf: (row: Conversation) => ClockEvent | null,
  ): Promise<void> {
    return this.chains.run(conversationId, async () => {
      const instants = await this.db.transaction(async () => {
        const row = await this.rows.locked(scope, conversationId);
        if (!row) return [];
        const event = eventOf(row);
        if (!event || (!stateOf(row.slaClock) && event.kind !== 'opened')) return [];
        const applied = await this.applyTo(scope, row, event);
        return this.pending(applied.row, applied.state);
      });
      await this.wake(scope, conversationId, instants);
    });
  }

  /** Applies the event to the locked row's clocks with the policy and calendar in force now, and stores the result. */
  private async applyTo(
    scope: LibraryScope,
    row: Conversation,
    event: ClockEvent,
  ): Promise<{ row: Conversation; state: SlaClockState }> {
    const computed = await this.computed(scope, row, event);
    await this.rows.update(scope, row.id, computed.changes);
    return computed;
  }

  /** The locked row's clocks after the event, with the policy and calendar in force now, and the columns that change. */
  private async computed(
    scope: LibraryScope,
    row: Conversation,
    event: ClockEvent,
  ): Promise<{ row: Conversation; state: SlaClockState; changes: Partial<Conversation> }> {
    const before = stateOf(row.slaClock);
    const policy = await this.policies.applicable(scope, row);
    const calendar = await this.calendarOf(scope, row, policy);
    const now = this.clock.now();
    // The clocks start when the first message arrived, not when this handler ran.
    const at = event.kind === 'opened' ? row.createdAt : now;
    const { state, stopped } = applyEvent(before ?? emptyState(), event, calendar, at);
    const computed = withInstants(state, targetsOf(policy), calendar);
    const changes: Partial<Conversation> = {
      slaClock: computed as unknown as Record<string, unknown>,
      slaAppliedPolicyId: policy?.id ?? null,
    };
    for (const target of SLA_TARGETS) {
      const due = computed.clocks[target]?.dueAt;
      (changes as Record<string, unknown>)[COLUMNS[target].due] = due ? new Date(due) : null;
    }
    if (event.kind === 'reader-wrote' && computed.clocks.nextResponse && !before?.clocks.nextResponse) {
      // A new next-response cycle: its warning and breach are this cycle's.
      Object.assign(changes, { nextResponseWarnedAt: null, nextResponseBreachedAt: null });
    }
    if (stopped.firstResponse !== undefined) {
      changes.firstResponseBusinessMs = stopped.firstResponse;
      changes.firstResponseMs = Math.max(0, now.getTime() - row.createdAt.getTime());
    }
    if (stopped.resolution !== undefined) {
      changes.resolutionBusinessMs = stopped.resolution;
      changes.resolutionMs = Math.max(0, now.getTime() - row.createdAt.getTime());
    }
    const merged = { ...row, ...changes };
    changes.slaNextCheckAt = this.nextCheck(merged, computed);
    return { row: { ...merged, slaNextCheckAt: changes.slaNextCheckAt }, state: computed, changes };
  }

  /** Warn and due instants not recorded yet. */
  private pending(row: Conversation, state: SlaClockState): Date[] {
    const instants: Date[] = [];
    for (const target of SLA_TARGETS) {
      const clock = state.clocks[target];
      if (clock?.warnAt && row[COLUMNS[target].warned] === null) instants.push(new Date(clock.warnAt));
      if (clock?.dueAt && row[COLUMNS[target].breached] === null) instants.push(new Date(clock.dueAt));
    }
    return instants;
  }

  private nextCheck(row: Conversation, state: SlaClockState): Date | null {
    const instants = this.pending(row, state);
    return instants.length === 0 ? null : new Date(Math.min(...instants.map((d) => d.getTime())));
  }

  /** One delayed job per instant (deduplicated by id); a failure to enqueue is left to the sweep. */
  private async wake(scope: LibraryScope, conversationId: string, instants: Date[]): Promise<void> {
    const now = this.clock.now().getTime();
    for (const at of instants) {
      try {
        await this.queue.add(
          CheckSlaJob,
          { libraryId: scope.libraryId, conversationId },
          { jobId: `sla-${conversationId}-${at.getTime()}`, delayMs: Math.max(0, at.getTime() - now) },
        );
      } catch (error) {
        this.logger.warn(`could not add an SLA timer (the sweep will find it): ${String(error)}`);
      }
    }
  }

  /** The department's calendar (else its branch's, else the default branch's) for a business-hours policy; 24/7 otherwise. */
  private async calendarOf(
    scope: LibraryScope,
    row: Conversation,
    policy: SlaPolicy | null,
  ): Promise<BusinessCalendar> {
    if (!policy?.businessHours) return BusinessCalendar.alwaysOpen();
    if (row.departmentId) return this.calendars.forDepartment(scope, row.departmentId);
    const branch = await this.libraries.defaultBranch(scope);
    return branch ? this.calendars.forBranch(scope, branch.id) : BusinessCalendar.alwaysOpen();
  }
}
