import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, EnumColumn, TenantEntity, UuidColumn } from '@readerdesk/platform';
import { Library } from '@readerdesk/tenancy';
import { Reader } from './reader.entity';

export const HANDLE_KINDS = ['email', 'phone', 'card', 'chat'] as const;
export type HandleKind = (typeof HANDLE_KINDS)[number];

/** One way to recognise a reader: an email address, a phone number, a card number or a chat session. */
@Entity('reader_handles')
@Index('uq_reader_handles_value', ['libraryId', 'kind', 'value'], { unique: true })
@Index('ix_reader_handles_reader', ['readerId'])
export class ReaderHandle extends TenantEntity {
  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'library_id' })
  library?: Library;

  @UuidColumn({ name: 'reader_id' })
  readerId!: string;

  @ManyToOne(() => Reader, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reader_id' })
  reader?: Reader;

  @EnumColumn(HANDLE_KINDS, { enumName: 'reader_handle_kind' })
  kind!: HandleKind;

  /** The normalised value that identity resolution matches on (E.164, lower-case email…). */
  @Column({ type: 'varchar', length: 320 })
  value!: string;

  /** What the channel gave us, kept for display and audit. */
  @Column({ type: 'varchar', length: 320 })
  raw!: string;

  /** False when the value could not be normalised (an unparsable phone number, say): kept raw and flagged. */
  @Column({ type: 'boolean', default: true })
  valid!: boolean;

  @CreatedAtColumn()
  createdAt!: Date;
}
