import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CHANNELS, type Channel, PRIORITIES, type Priority } from '@readerdesk/conversations';
import { CreatedAtColumn, EnumColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import { Department } from '@readerdesk/staff';
import { Library } from '@readerdesk/tenancy';

/**
 * Response and resolution targets for the conversations it matches: department × priority ×
 * channel, each null for "any". Targets are minutes, each optional; counted in the business hours
 * of the department's calendar (else its branch's, else the default branch's), or 24/7.
 */
@Entity('sla_policies')
@Index('ix_sla_policies_library', ['libraryId'])
export class SlaPolicy extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: Department;

  @UuidColumn({ name: 'department_id', nullable: true })
  departmentId!: string | null;

  @EnumColumn(PRIORITIES, { enumName: 'conversation_priority', nullable: true })
  priority!: Priority | null;

  @EnumColumn(CHANNELS, { enumName: 'conversation_channel', nullable: true })
  channel!: Channel | null;

  @Column({ name: 'first_response_minutes', type: 'integer', nullable: true })
  firstResponseMinutes!: number | null;

  @Column({ name: 'next_response_minutes', type: 'integer', nullable: true })
  nextResponseMinutes!: number | null;

  @Column({ name: 'resolution_minutes', type: 'integer', nullable: true })
  resolutionMinutes!: number | null;

  /** False: the clocks run 24/7. */
  @Column({ name: 'business_hours', type: 'boolean', default: true })
  businessHours!: boolean;

  /** The share of a target at which a warning is sent. */
  @Column({ name: 'warn_at', type: 'real', default: 0.8 })
  warnAt!: number;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
