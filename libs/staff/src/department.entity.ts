import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';
import { Branch, Library } from '@readerdesk/tenancy';

/** A queue of the desk: Reference, Circulation, Children's, Inter-library loan, E-resources… */
@Entity('departments')
@Index('uq_departments_library_code', ['libraryId', 'code'], { unique: true })
@Index('ix_departments_branch', ['branchId'])
export class Department extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  /**
   * The branch the department works in (its opening hours and zone, unless it has its own); null: the
   * library's default branch. The service checks that the branch is of the same library. A branch that
   * goes away sets this to null rather than refusing the delete or deleting the department with it: the
   * queue and its conversations outlive a building, and fall back to the default branch's hours, as
   * readers' home branches do (ARCHITECTURE.md, Opening hours).
   */
  @ManyToOne(() => Branch, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'branch_id' })
  branch?: Branch | null;

  @UuidColumn({ name: 'branch_id', nullable: true })
  branchId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
