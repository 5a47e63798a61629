import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CHANNELS, type Channel, Conversation } from '@readerdesk/conversations';
import { CreatedAtColumn, EnumColumn, TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';
import { Agent, Department } from '@readerdesk/staff';
import { Library } from '@readerdesk/tenancy';
import { OFFER_END_REASONS, OFFER_MODES, type OfferEndReason, type OfferMode } from './offer.events';

export const OFFER_STATUSES = ['pending', 'accepted', 'ended'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/**
 * A conversation offered to one agent (a TaskRouter reservation): pending until the agent accepts it
 * (the conversation is theirs), or it ends — rejected, timed out, handed on, withdrawn. Rows are kept
 * (offered/accepted/rejected figures, the timeline). At most one pending `offer`-mode row per
 * conversation, which the database itself guarantees (uq_offers_one_pending); `broadcast` rows are
 * many at once by design (first to accept wins).
 */
@Entity('offers')
@Index('ix_offers_agent', ['libraryId', 'agentId', 'status'])
@Index('ix_offers_conversation', ['conversationId', 'status'])
// The sweep (every library at once): pending offers, by expiry.
@Index('ix_offers_pending', ['status', 'expiresAt'])
@Index('uq_offers_one_pending', ['conversationId'], { unique: true, where: `status = 'pending' AND mode = 'offer'` })
export class Offer extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id' })
  conversation?: Conversation;

  @UuidColumn({ name: 'conversation_id' })
  conversationId!: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @UuidColumn({ name: 'agent_id' })
  agentId!: string;

  /** The department whose queue offered it: the conversation's, or an overflow department's. */
  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: Department;

  @UuidColumn({ name: 'department_id' })
  departmentId!: string;

  @EnumColumn(CHANNELS, { enumName: 'conversation_channel' })
  channel!: Channel;

  @EnumColumn(OFFER_MODES, { enumName: 'offer_mode' })
  mode!: OfferMode;

  @EnumColumn(OFFER_STATUSES, { enumName: 'offer_status', default: 'pending' })
  status!: OfferStatus;

  @EnumColumn(OFFER_END_REASONS, { name: 'end_reason', enumName: 'offer_end_reason', nullable: true })
  endReason!: OfferEndReason | null;

  @TimestampColumn({ name: 'offered_at' })
  offeredAt!: Date;

  /** When a pending offer times out; null: it does not (broadcast, or a channel without a timeout). */
  @TimestampColumn({ name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  /** Accepted or ended. */
  @TimestampColumn({ name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
