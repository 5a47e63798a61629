import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TenantEntity } from '@readerdesk/platform';
import { Library } from '@readerdesk/tenancy';

/** A queue of the desk: Reference, Circulation, Children's, Inter-library loan, E-resources… */
@Entity('departments')
@Index('uq_departments_library_code', ['libraryId', 'code'], { unique: true })
export class Department extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @Column({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
