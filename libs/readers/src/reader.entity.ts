import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import { Branch, Library } from '@readerdesk/tenancy';

/** A library patron. Their handles (email, phone, card, chat session) and history join on this row. */
@Entity('readers')
@Index('uq_readers_library_card', ['libraryId', 'cardNumber'], { unique: true })
export class Reader extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ name: 'preferred_language', type: 'varchar', length: 35, nullable: true })
  preferredLanguage!: string | null;

  @Column({ name: 'card_number', type: 'varchar', length: 64, nullable: true })
  cardNumber!: string | null;

  /** The reader's id in the library system (ILS), when known. */
  @Column({ name: 'ils_id', type: 'varchar', length: 128, nullable: true })
  ilsId!: string | null;

  /** Patron category from the ILS (adult, child, staff, …). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  category!: string | null;

  @UuidColumn({ name: 'home_branch_id', nullable: true })
  homeBranchId!: string | null;

  @ManyToOne(() => Branch, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'home_branch_id' })
  homeBranch?: Branch;

  /** Consent: keep this reader's service history beyond what a conversation needs. */
  @Column({ name: 'keep_history', type: 'boolean' })
  keepHistory!: boolean;

  /** Set when this reader was merged into another; the row stays as a tombstone for the audit trail. */
  @UuidColumn({ name: 'merged_into_id', nullable: true })
  mergedIntoId!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
