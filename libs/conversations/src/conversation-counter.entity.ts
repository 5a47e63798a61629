import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last reference number handed out in a library. Numbers are taken from it outside the
 * transaction that opens the conversation (see ConversationRepository.allocateNumbers), so that
 * openings in one library do not wait for each other's commits. No foreign key to the library: the
 * statement that takes a number cannot see a library created by the caller's uncommitted transaction
 * (the demo seed, an import).
 */
@Entity('conversation_counters')
export class ConversationCounter {
  @PrimaryColumn({ name: 'library_id', type: 'uuid' })
  libraryId!: string;

  @Column({ name: 'last_number', type: 'integer' })
  lastNumber!: number;
}
