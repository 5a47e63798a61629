import { defineJob } from '@readerdesk/platform';

/** Wakes one snoozed conversation at its time; the row decides (it may have been woken or snoozed again since). */
export const WakeSnoozedJob = defineJob<{ libraryId: string; conversationId: string }>('snooze', 'wake', {
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 5_000 },
});

/** Every minute: snoozes that are due and still asleep (a lost job, a restart of the in-process queue). */
export const SweepSnoozesJob = defineJob<Record<string, never>>('snooze', 'sweep', { attempts: 1 });
