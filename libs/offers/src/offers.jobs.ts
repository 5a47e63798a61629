import { defineJob } from '@readerdesk/platform';

/** Wakes the dispatcher of a library when one of its offers is due to time out (the rows decide). */
export const ExpireOffersJob = defineJob<{ libraryId: string }>('offers', 'expire', {
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 1_000 },
});
