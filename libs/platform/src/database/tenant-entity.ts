import { IdColumn, UuidColumn } from './dialect';

/** The columns every tenant-owned row has: its own uuid and its library's. */
export abstract class TenantEntity {
  @IdColumn()
  id!: string;

  @UuidColumn({ name: 'library_id' })
  libraryId!: string;
}
