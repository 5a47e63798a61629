import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  CreatedAtColumn,
  EnumColumn,
  JsonColumn,
  TenantEntity,
  TimestampColumn,
  UpdatedAtColumn,
} from '@readerdesk/platform';
import { Library } from '@readerdesk/tenancy';
import { type CapacityChannel, PRESENCES, type Presence } from '@readerdesk/contracts';

export const AGENT_ROLES = ['agent', 'supervisor', 'administrator'] as const;
export { PRESENCES, type Presence };
export type Capacity = Record<CapacityChannel, number>;
/** How many conversations of each channel an agent holds at once unless told otherwise. */
export const DEFAULT_CAPACITY: Capacity = { voice: 1, video: 1, chat: 3, sms: 5, email: 10 };
export interface Skills {
  /** BCP 47 languages the agent answers in. */
  languages: string[];
  /** Subjects (local history, genealogy, maker space…). */
  subjects: string[];
}
export type AgentRole = (typeof AGENT_ROLES)[number];

/** A member of staff who signs in to the console. */
@Entity('agents')
export class Agent extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  /** Sign-in name; unique across the deployment so that one address names one account. */
  @Index('uq_agents_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @EnumColumn(AGENT_ROLES, { enumName: 'agent_role', default: 'agent' })
  role!: AgentRole;

  /** argon2id hash; null for accounts that only sign in through single sign-on. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @EnumColumn(PRESENCES, { enumName: 'agent_presence', default: 'offline' })
  presence!: Presence;

  @TimestampColumn({ name: 'presence_changed_at', nullable: true })
  presenceChangedAt!: Date | null;

  /** Overrides of DEFAULT_CAPACITY per channel (an empty object: the defaults); see effectiveCapacity. */
  @JsonColumn({ default: () => "'{}'" })
  capacity!: Partial<Capacity>;

  @JsonColumn({ default: () => "'{}'" })
  skills!: Partial<Skills>;

  /** Consecutive failed sign-ins; reset by a successful one. */
  @Column({ name: 'failed_logins', type: 'integer', default: 0 })
  failedLogins!: number;

  /** Set after too many failed sign-ins: no sign-in succeeds before this time. */
  @TimestampColumn({ name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  /**
   * Signed into every access token and compared on each request: raised when the account's role,
   * departments or status change, so that tokens issued before stop working at once.
   */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  @TimestampColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}

/** The agent's capacity per channel: their overrides on top of the defaults. */
export function effectiveCapacity(agent: Pick<Agent, 'capacity'>): Capacity {
  return { ...DEFAULT_CAPACITY, ...agent.capacity };
}

export function effectiveSkills(agent: Pick<Agent, 'skills'>): Skills {
  return { languages: agent.skills.languages ?? [], subjects: agent.skills.subjects ?? [] };
}
