import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import { Department } from '@readerdesk/staff';
import { Library } from '@readerdesk/tenancy';

export const CANNED_REPLY_TITLE_MAX = 120;
export const CANNED_REPLY_TEXT_MAX = 10_000;
export const CANNED_REPLY_SHORTCUT_MAX = 64;

/**
 * A saved answer staff insert into a reply: library-wide (no department) or one department's, with
 * placeholders (canned-reply-template.ts) filled per conversation. A shortcut (`hours`) is unique per
 * library and department, stored in lower case; NULL departments are distinct in a unique index on
 * both drivers, so library-wide shortcuts have their own partial index.
 */
@Entity('canned_replies')
@Index('ix_canned_replies_library', ['libraryId', 'departmentId'])
@Index('uq_canned_replies_department_shortcut', ['libraryId', 'departmentId', 'shortcut'], { unique: true })
@Index('uq_canned_replies_library_shortcut', ['libraryId', 'shortcut'], {
  unique: true,
  where: 'department_id IS NULL',
})
export class CannedReply extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: Department;

  /** Null: every department of the library may use it. */
  @UuidColumn({ name: 'department_id', nullable: true })
  departmentId!: string | null;

  @Column({ type: 'varchar', length: CANNED_REPLY_TITLE_MAX })
  title!: string;

  @Column({ type: 'varchar', length: CANNED_REPLY_SHORTCUT_MAX, nullable: true })
  shortcut!: string | null;

  /** Plain text with placeholders such as {{reader.first_name}}. */
  @Column({ type: 'text' })
  text!: string;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
