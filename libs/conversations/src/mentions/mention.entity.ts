import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';
import { Agent } from '@readerdesk/staff';
import { Library } from '@readerdesk/tenancy';
import { Conversation } from '../conversation.entity';
import { Message } from '../message.entity';

/**
 * A member of staff named in an internal note (mention-syntax.ts): one row per note and agent, read
 * when the agent marks it so. Kept as rows rather than ids on the message so that an agent's
 * mentions, newest first and unread ones apart, are one range of ix_message_mentions_agent.
 */
@Entity('message_mentions')
@Index('uq_message_mentions_message_agent', ['messageId', 'agentId'], { unique: true })
@Index('ix_message_mentions_agent', ['libraryId', 'agentId', 'createdAt'])
export class MessageMention extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id' })
  message?: Message;

  @UuidColumn({ name: 'message_id' })
  messageId!: string;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id' })
  conversation?: Conversation;

  @UuidColumn({ name: 'conversation_id' })
  conversationId!: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  /** Who is mentioned. */
  @UuidColumn({ name: 'agent_id' })
  agentId!: string;

  /** The note's time. */
  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'read_at', nullable: true })
  readAt!: Date | null;
}
