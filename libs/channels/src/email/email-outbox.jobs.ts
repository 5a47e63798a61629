import { defineJob } from '@readerdesk/platform';

/** One outbound email to hand to the inbox's mail server; the job id is the message id, so it is never doubled. */
export const SendEmailJob = defineJob<{ libraryId: string; messageId: string }>('email-outbox', 'send', {
  // The outbox passes attempts and backoff from the environment; these are the same defaults.
  attempts: 6,
  backoff: { type: 'exponential', delayMs: 30_000 },
});

/** Finds outbound email the queue lost (a restart of the in-process driver, a crash before enqueueing). */
export const SweepEmailOutboxJob = defineJob<Record<string, never>>('email-outbox', 'sweep', { attempts: 1 });
