import { defineEvent } from '@readerdesk/platform';
import type { SlaTarget } from './sla-clock';

export interface SlaAlert {
  libraryId: string;
  conversationId: string;
  departmentId: string | null;
  target: SlaTarget;
  policyId: string | null;
  /** ISO instant the target is due. */
  dueAt: string;
}

/** A clock reached its policy's warning share (80 % by default). */
export const SlaWarning = defineEvent<SlaAlert>('sla.warning');
/** A clock passed its target. Each is published once per conversation and target (per next-response cycle). */
export const SlaBreached = defineEvent<SlaAlert>('sla.breached');
