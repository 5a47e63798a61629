import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TenantEntity, TimestampColumn, UuidColumn } from '@readerdesk/platform';
import { Library } from '@readerdesk/tenancy';
import { Agent } from './agent.entity';

/**
 * A library's credential for a program (a website form, an integration): named, with scopes, shown
 * once at creation. Only the SHA-256 of the key is stored; the prefix, which is part of the key,
 * finds the row and is what lists show.
 */
@Entity('api_keys')
@Index('uq_api_keys_prefix', ['prefix'], { unique: true })
@Index('ix_api_keys_library', ['libraryId', 'createdAt'])
export class ApiKey extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** `read`, `admin` or `ingest:<inbox id>` (ApiKeyScope). */
  @JsonColumn({ default: () => "'[]'" })
  scopes!: string[];

  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  @ManyToOne(() => Agent, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id' })
  createdBy?: Agent;

  @UuidColumn({ name: 'created_by_id', nullable: true })
  createdById!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** Written at most once a minute per key (API_KEY_USE_RESOLUTION_MS), not on every request. */
  @TimestampColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}
