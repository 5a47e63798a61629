import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import {
  Clock,
  Environment,
  EventBus,
  JobHandler,
  libraryScope,
  LibraryScope,
  QueueService,
} from '@readerdesk/platform';
import { ConversationStatusChanged } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { SweepSnoozesJob, WakeSnoozedJob } from './snooze.jobs';

export const SNOOZE_SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 500;

/**
 * Snoozed conversations wake at their time (Zendesk's on-hold, Chatwoot's snooze): a delayed job per
 * snooze wakes the code, and a sweep every minute wakes whatever a lost job missed, so a snooze survives
 * restarts and outages of the queue. Waking itself is ConversationService.wakeFromSnooze (once only).
 */
@Injectable()
export class SnoozeService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Snooze');

  constructor(
    private readonly conversations: ConversationService,
    private readonly rows: ConversationRepository,
    private readonly queue: QueueService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly env: Environment,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(ConversationStatusChanged, (e) =>
      e.to === 'snoozed' ? this.wakeLater(libraryScope(e.libraryId), e.conversationId) : undefined,
    );
  }

  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    void Promise.all([
      this.queue.schedule(SweepSnoozesJob, 'snooze-sweep', {}, { everyMs: SNOOZE_SWEEP_EVERY_MS }),
      this.queue.add(SweepSnoozesJob, {}, { jobId: 'snooze-sweep-at-start' }),
    ]).catch((error: unknown) => this.logger.error(`could not schedule the snooze sweep: ${String(error)}`));
  }

  @JobHandler(WakeSnoozedJob)
  async onWake(payload: { libraryId: string; conversationId: string }): Promise<void> {
    await this.conversations.wakeFromSnooze(libraryScope(payload.libraryId), payload.conversationId);
  }

  @JobHandler(SweepSnoozesJob)
  async onSweep(): Promise<void> {
    const woken = await this.sweep();
    if (woken > 0) this.logger.log(`snooze sweep: woke ${woken} conversation(s)`);
  }

  /** Wakes every due snooze of every library (a batch at a time); returns how many this call woke. */
  async sweep(): Promise<number> {
    let woken = 0;
    for (;;) {
      const due = await this.rows.dueSnoozes(this.clock.now(), SWEEP_BATCH);
      for (const row of due) if (await this.conversations.wakeFromSnooze(libraryScope(row.libraryId), row.id)) woken++;
      if (due.length < SWEEP_BATCH) return woken;
    }
  }

  /** One delayed job at the snooze's end (deduplicated by id: a re-snooze gets its own); a failure is left to the sweep. */
  private async wakeLater(scope: LibraryScope, conversationId: string): Promise<void> {
    const row = await this.rows.findById(scope, conversationId);
    if (row?.status !== 'snoozed' || !row.snoozedUntil) return;
    const at = row.snoozedUntil.getTime();
    try {
      await this.queue.add(
        WakeSnoozedJob,
        { libraryId: scope.libraryId, conversationId },
        { jobId: `snooze-${conversationId}-${at}`, delayMs: Math.max(0, at - this.clock.now().getTime()) },
      );
    } catch (error) {
      this.logger.warn(`could not add a snooze timer (the sweep will wake it): ${String(error)}`);
    }
  }
}
