import { defineJob } from '@readerdesk/platform';

/**
 * One outbound message to hand to its channel's `deliver()`; the job id is the message id, so it is
 * never doubled. The outbox passes attempts and backoff from the environment.
 */
export const DeliverMessageJob = defineJob<{ libraryId: string; messageId: string }>('outbox', 'deliver', {
  attempts: 6,
  backoff: { type: 'exponential', delayMs: 30_000 },
});

/** Finds outbound messages the queue lost (a restart of the in-process driver, a crash before enqueueing). */
export const SweepOutboxJob = defineJob<Record<string, never>>('outbox', 'sweep', { attempts: 1 });
