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

/**
 * A library's SLA policies changed (created, edited, removed). Delivered in every process, so that each
 * one's cache of policies is dropped at once; the cache also expires on its own (delivery elsewhere is
 * best effort).
 */
export const SlaPoliciesChanged = defineEvent<{ libraryId: string }>('sla.policies-changed', { everyProcess: true });
