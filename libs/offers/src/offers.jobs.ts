import { defineJob } from '@readerdesk/platform';

/** Wakes the dispatcher of a library when one of its offers is due to time out (the rows decide). */
export const ExpireOffersJob = defineJob<{ libraryId: string }>('offers', 'expire', {
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 1_000 },
});

/**
 * Every few seconds, every library with pending offers or waiting conversations: what a lost job
 * or a process that died between its commit and its dispatch left behind.
 */
export const SweepOffersJob = defineJob<Record<string, never>>('offers', 'sweep', { attempts: 1 });
