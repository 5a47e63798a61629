import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TenantEntity } from '@readerdesk/platform';
import { Library } from './library.entity';

/** A physical library building with its own time zone (opening hours and SLA clocks run on it). */
@Entity('branches')
@Index('uq_branches_library_code', ['libraryId', 'code'], { unique: true })
export class Branch extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @Column({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  address!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
