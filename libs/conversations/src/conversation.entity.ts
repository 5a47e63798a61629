import { Column, Entity, Index } from 'typeorm';
import {
  CreatedAtColumn,
  EnumColumn,
  JsonColumn,
  TenantEntity,
  TimestampColumn,
  UpdatedAtColumn,
  UuidColumn,
} from '@readerdesk/platform';
import {
  type Channel,
  CHANNELS,
  CONVERSATION_STATUSES,
  type ConversationStatus,
  PRIORITIES,
  type Priority,
  QUESTION_TYPES,
  type QuestionType,
} from './conversation-status';
import type { RequiredSkills } from './routing/routing-port';

/** bigint as a number (PostgreSQL hands bigint back as text). */
const MILLIS = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** One thread with one reader, across messages and calls (the ticket). */
@Entity('conversations')
@Index('uq_conversations_number', ['libraryId', 'number'], { unique: true })
@Index('ix_conversations_reader', ['libraryId', 'readerId', 'lastMessageAt'])
@Index('ix_conversations_queue', ['libraryId', 'status', 'departmentId'])
// The SLA sweep (every library at once): rows whose next warning or breach is due, paged by (due, id).
@Index('ix_conversations_sla_check', ['slaNextCheckAt', 'id'])
// The snooze sweep (every library at once): snoozes that are due.
@Index('ix_conversations_snoozed', ['snoozedUntil'])
// Offers: the queue of each library (waiting, unassigned, in a department), small whatever the history.
@Index('ix_conversations_waiting', ['libraryId', 'queuedAt'], {
  where: `status IN ('new', 'open') AND assignee_id IS NULL AND department_id IS NOT NULL`,
})
// Queue statistics: what waits unassigned per department and since when, and what agents hold; channel last so the
// grouping reads the index alone.
@Index('ix_conversations_queue_stats', ['libraryId', 'departmentId', 'status', 'assigneeId', 'waitingSince', 'channel'])
export class Conversation extends TenantEntity {
  /** Short reference per library, shown to readers (#1234) and used to thread replies. */
  @Column({ type: 'integer' })
  number!: number;

  @UuidColumn({ name: 'reader_id' })
  readerId!: string;

  @UuidColumn({ name: 'inbox_id' })
  inboxId!: string;

  @EnumColumn(CHANNELS, { enumName: 'conversation_channel' })
  channel!: Channel;

  @UuidColumn({ name: 'department_id', nullable: true })
  departmentId!: string | null;

  @UuidColumn({ name: 'assignee_id', nullable: true })
  assigneeId!: string | null;

  @EnumColumn(CONVERSATION_STATUSES, { enumName: 'conversation_status', default: 'new' })
  status!: ConversationStatus;

  @EnumColumn(PRIORITIES, { enumName: 'conversation_priority', default: 'normal' })
  priority!: Priority;

  @Column({ type: 'varchar', length: 500, nullable: true })
  subject!: string | null;

  /** GIN-indexed on PostgreSQL by a hand-written migration (MessageSearch); the schema diff leaves it alone. */
  @Index('ix_conversations_tags', { synchronize: false })
  @JsonColumn({ default: () => "'[]'" })
  tags!: string[];

  @TimestampColumn({ name: 'snoozed_until', nullable: true })
  snoozedUntil!: Date | null;

  /** READ scale (1–6) recorded at resolution. */
  @Column({ name: 'read_level', type: 'smallint', nullable: true })
  readLevel!: number | null;

  @EnumColumn(QUESTION_TYPES, { enumName: 'question_type', name: 'question_type', nullable: true })
  questionType!: QuestionType | null;

  /** The routing rule that chose the department (null: the inbox's default, or moved by hand since). */
  @UuidColumn({ name: 'routing_rule_id', nullable: true })
  routingRuleId!: string | null;

  /** Skills an agent needs to be offered it (`{ languages?, subjects? }`), set by routing; offers read it. */
  @JsonColumn({ name: 'required_skills', nullable: true })
  requiredSkills!: RequiredSkills | null;

  @TimestampColumn({ name: 'first_response_at', nullable: true })
  firstResponseAt!: Date | null;

  /** Since when the reader has been waiting for an answer; null while the ball is with the reader. */
  @TimestampColumn({ name: 'waiting_since', nullable: true })
  waitingSince!: Date | null;

  /**
   * Since when it waits in its current department's queue: set when it opens, on a transfer, and when
   * a resolved conversation is reopened. Offers order by it and time overflow from it.
   */
  @TimestampColumn({ name: 'queued_at', nullable: true })
  queuedAt!: Date | null;

  @TimestampColumn({ name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @TimestampColumn({ name: 'last_message_at' })
  lastMessageAt!: Date;

  // SLA (computed by libs/sla; ARCHITECTURE.md "SLA clocks"). The conversation owns the columns.

  /** A policy chosen for this conversation (by routing): wins over matching department × priority × channel. */
  @UuidColumn({ name: 'sla_policy_id', nullable: true })
  slaPolicyId!: string | null;

  /** The policy the clocks run against now (the override, else the most specific match); null: no SLA. */
  @UuidColumn({ name: 'sla_applied_policy_id', nullable: true })
  slaAppliedPolicyId!: string | null;

  /** Null while that clock is not running (paused, stopped, or no target). */
  @TimestampColumn({ name: 'first_response_due_at', nullable: true })
  firstResponseDueAt!: Date | null;

  @TimestampColumn({ name: 'next_response_due_at', nullable: true })
  nextResponseDueAt!: Date | null;

  @TimestampColumn({ name: 'resolution_due_at', nullable: true })
  resolutionDueAt!: Date | null;

  /** When the warning (the policy's share of the target) was recorded; set once, by a conditional update. */
  @TimestampColumn({ name: 'first_response_warned_at', nullable: true })
  firstResponseWarnedAt!: Date | null;

  @TimestampColumn({ name: 'next_response_warned_at', nullable: true })
  nextResponseWarnedAt!: Date | null;

  @TimestampColumn({ name: 'resolution_warned_at', nullable: true })
  resolutionWarnedAt!: Date | null;

  @TimestampColumn({ name: 'first_response_breached_at', nullable: true })
  firstResponseBreachedAt!: Date | null;

  @TimestampColumn({ name: 'next_response_breached_at', nullable: true })
  nextResponseBreachedAt!: Date | null;

  @TimestampColumn({ name: 'resolution_breached_at', nullable: true })
  resolutionBreachedAt!: Date | null;

  /** Time to first response on the SLA's clock (business hours, or 24/7), and on the wall clock. */
  @Column({ name: 'first_response_business_ms', type: 'bigint', nullable: true, transformer: MILLIS })
  firstResponseBusinessMs!: number | null;

  @Column({ name: 'first_response_ms', type: 'bigint', nullable: true, transformer: MILLIS })
  firstResponseMs!: number | null;

  @Column({ name: 'resolution_business_ms', type: 'bigint', nullable: true, transformer: MILLIS })
  resolutionBusinessMs!: number | null;

  @Column({ name: 'resolution_ms', type: 'bigint', nullable: true, transformer: MILLIS })
  resolutionMs!: number | null;

  /** The earliest warning or breach not yet recorded: what the sweep looks for. */
  @TimestampColumn({ name: 'sla_next_check_at', nullable: true })
  slaNextCheckAt!: Date | null;

  /** The clocks themselves (business time consumed, running since, warn and due instants): libs/sla's SlaClockState. */
  @JsonColumn({ name: 'sla_clock', nullable: true })
  slaClock!: Record<string, unknown> | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}

/** The SLA columns of a conversation no clock has touched yet. */
export const NO_SLA = {
  slaPolicyId: null,
  slaAppliedPolicyId: null,
  firstResponseDueAt: null,
  nextResponseDueAt: null,
  resolutionDueAt: null,
  firstResponseWarnedAt: null,
  nextResponseWarnedAt: null,
  resolutionWarnedAt: null,
  firstResponseBreachedAt: null,
  nextResponseBreachedAt: null,
  resolutionBreachedAt: null,
  firstResponseBusinessMs: null,
  firstResponseMs: null,
  resolutionBusinessMs: null,
  resolutionMs: null,
  slaNextCheckAt: null,
  slaClock: null,
} satisfies Partial<Conversation>;
