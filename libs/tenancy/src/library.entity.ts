import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, UpdatedAtColumn } from '@readerdesk/platform';

/** The tenant. Every other domain row carries a library id; a consortium runs several libraries in one desk. */
@Entity('libraries')
export class Library {
  @IdColumn()
  id!: string;

  @Index('uq_libraries_slug', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** ISO 3166 country used to read phone numbers written without a country code. */
  @Column({ name: 'default_country', type: 'varchar', length: 2 })
  defaultCountry!: string;

  /** BCP 47 language of the library's own texts (auto-replies, widget). */
  @Column({ name: 'default_language', type: 'varchar', length: 35 })
  defaultLanguage!: string;

  /** IANA time zone used where no branch is known. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  /** Privacy by default: a reader's history is kept only if they opt in, unless the library decides otherwise. */
  @Column({ name: 'keep_history_by_default', type: 'boolean', default: false })
  keepHistoryByDefault!: boolean;

  /** Web origins (`https://www.example.org`) whose pages may call the API with this library's keys (CORS). */
  @JsonColumn({ name: 'allowed_origins', default: () => "'[]'" })
  allowedOrigins!: string[];

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
