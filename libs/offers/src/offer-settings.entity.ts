import { Column, Entity, JoinColumn, ManyToOne } from 'typeorm';
import type { CapacityChannel } from '@readerdesk/contracts';
import { EnumColumn, JsonColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import { Department } from '@readerdesk/staff';
import { Library } from '@readerdesk/tenancy';
import { OFFER_MODES, type OfferMode } from './offer.events';

/** Who among the eligible agents is offered the next conversation. */
export const AGENT_ORDERS = ['longest_idle', 'least_busy', 'round_robin'] as const;
export type AgentOrder = (typeof AGENT_ORDERS)[number];
export const OVERFLOW_ACTIONS = ['offer', 'move'] as const;
export type OverflowAction = (typeof OVERFLOW_ACTIONS)[number];

/** Seconds an offer waits for its agent, per channel; null: none (the conversation is assigned directly). */
export type OfferTimeouts = Record<CapacityChannel, number | null>;

/**
 * How a department hands out its waiting conversations. A department without a row has the
 * defaults (DEFAULT_OFFER_SETTINGS); the row's id is the department's.
 */
@Entity('department_offer_settings')
export class DepartmentOfferSettings extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'id' })
  department?: Department;

  @EnumColumn(OFFER_MODES, { enumName: 'offer_mode', default: 'offer' })
  mode!: OfferMode;

  @EnumColumn(AGENT_ORDERS, { name: 'agent_order', enumName: 'offer_agent_order', default: 'longest_idle' })
  agentOrder!: AgentOrder;

  /** Overrides of DEFAULT_OFFER_TIMEOUTS per channel. */
  @JsonColumn({ default: () => "'{}'" })
  timeouts!: Partial<OfferTimeouts>;

  /** After this many seconds waiting here, the conversation is also offered in (or moved to) the overflow department. */
  @Column({ name: 'overflow_after_seconds', type: 'integer', nullable: true })
  overflowAfterSeconds!: number | null;

  @ManyToOne(() => Department, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'overflow_department_id' })
  overflowDepartment?: Department;

  @UuidColumn({ name: 'overflow_department_id', nullable: true })
  overflowDepartmentId!: string | null;

  @EnumColumn(OVERFLOW_ACTIONS, { name: 'overflow_action', enumName: 'offer_overflow_action', nullable: true })
  overflowAction!: OverflowAction | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}

/** Voice, video and chat ring for 30 s (TaskRouter's and LibChat's habit); an SMS waits 2 minutes; email and web forms are assigned directly. */
export const DEFAULT_OFFER_TIMEOUTS: OfferTimeouts = { voice: 30, video: 30, chat: 30, sms: 120, email: null };

export interface OfferPolicy {
  departmentId: string;
  mode: OfferMode;
  agentOrder: AgentOrder;
  timeouts: OfferTimeouts;
  overflow: { afterSeconds: number; departmentId: string; action: OverflowAction } | null;
}

export function offerPolicyOf(departmentId: string, row: DepartmentOfferSettings | null | undefined): OfferPolicy {
  return {
    departmentId,
    mode: row?.mode ?? 'offer',
    agentOrder: row?.agentOrder ?? 'longest_idle',
    timeouts: { ...DEFAULT_OFFER_TIMEOUTS, ...row?.timeouts },
    overflow:
      row?.overflowAfterSeconds != null && row.overflowDepartmentId && row.overflowAction
        ? { afterSeconds: row.overflowAfterSeconds, departmentId: row.overflowDepartmentId, action: row.overflowAction }
        : null,
  };
}
