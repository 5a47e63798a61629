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

/** One thread with one reader, across messages and calls (the ticket). */
@Entity('conversations')
@Index('uq_conversations_number', ['libraryId', 'number'], { unique: true })
@Index('ix_conversations_reader', ['libraryId', 'readerId', 'lastMessageAt'])
@Index('ix_conversations_queue', ['libraryId', 'status', 'departmentId'])
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

  /** The SLA policy routing chose; policies come with the SLA work, so it is an opaque id for now. */
  @UuidColumn({ name: 'sla_policy_id', nullable: true })
  slaPolicyId!: string | null;

  @TimestampColumn({ name: 'first_response_at', nullable: true })
  firstResponseAt!: Date | null;

  /** Since when the reader has been waiting for an answer; null while the ball is with the reader. */
  @TimestampColumn({ name: 'waiting_since', nullable: true })
  waitingSince!: Date | null;

  @TimestampColumn({ name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @TimestampColumn({ name: 'last_message_at' })
  lastMessageAt!: Date;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
