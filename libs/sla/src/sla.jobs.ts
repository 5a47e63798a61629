import { defineJob } from '@readerdesk/platform';

/** Wakes the clocks of one conversation at a warn or due instant; the row decides what happens. */
export const CheckSlaJob = defineJob<{ libraryId: string; conversationId: string }>('sla', 'check', { attempts: 3 });

/** Every minute: conversations whose warning or breach is due and not recorded (a lost or never-added job). */
export const SweepSlaJob = defineJob<Record<string, never>>('sla', 'sweep', { attempts: 1 });
