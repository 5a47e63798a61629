import { defineEvent } from '@readerdesk/platform';

/**
 * Something a library's queue statistics show moved (a count, what waits, an agent's presence or
 * load). Published at most every 2 s per library and process, after the change that caused it
 * (a coalescing timer), for the socket fanout to tell supervisors to read `GET /queue-stats` again.
 */
export const QueueStatsChanged = defineEvent<{
  libraryId: string;
  /** The queues that moved since the last announcement (null: triage). */
  departmentIds: Array<string | null>;
  at: string;
}>('queue-stats.changed');
