import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';

/**
 * A long-lived sign-in that trades for short-lived access tokens. Only a hash is stored; each use
 * rotates it, and using a rotated token again revokes the whole family (a stolen token is detected).
 */
@Entity('refresh_tokens')
@Index('uq_refresh_tokens_hash', ['tokenHash'], { unique: true })
@Index('ix_refresh_tokens_family', ['familyId'])
export class RefreshToken extends TenantEntity {
  @UuidColumn({ name: 'agent_id' })
  agentId!: string;

  @UuidColumn({ name: 'family_id' })
  familyId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @TimestampColumn({ name: 'used_at', nullable: true })
  usedAt!: Date | null;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
