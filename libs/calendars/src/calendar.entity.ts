import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import { Department } from '@readerdesk/staff';
import { Branch, Library } from '@readerdesk/tenancy';
import type { Closure, Holiday, WeeklyPeriod } from './calendar-definition';

/**
 * Opening hours of one branch or one department (exactly one of the two ids is set). The periods,
 * holidays and closures are JSON documents: they are read and written whole, validated as a whole
 * (overlaps, duplicates), and never queried row by row.
 */
@Entity('calendars')
@Index('uq_calendars_branch', ['branchId'], { unique: true })
@Index('uq_calendars_department', ['departmentId'], { unique: true })
@Index('ix_calendars_library', ['libraryId'])
export class Calendar extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @ManyToOne(() => Branch, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'branch_id' })
  branch?: Branch;

  @UuidColumn({ name: 'branch_id', nullable: true })
  branchId!: string | null;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: Department;

  @UuidColumn({ name: 'department_id', nullable: true })
  departmentId!: string | null;

  /** IANA zone; null follows the branch's (for a department: its branch's, else the default branch's, else the library's). */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @JsonColumn({ default: () => "'[]'" })
  weekly!: WeeklyPeriod[];

  @JsonColumn({ default: () => "'[]'" })
  holidays!: Holiday[];

  @JsonColumn({ default: () => "'[]'" })
  closures!: Closure[];

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
