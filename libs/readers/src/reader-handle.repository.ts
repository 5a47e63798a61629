import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { ReaderHandle, HandleKind } from './reader-handle.entity';
import { Reader } from './reader.entity';

/** Kinds and values are matched apart in SQL: keeps the rows whose pair was asked for. */
const isWanted =
  (wanted: Array<{ kind: HandleKind; value: string }>) =>
  (row: ReaderHandle): boolean =>
    wanted.some((w) => w.kind === row.kind && w.value === row.value);

@Injectable()
export class ReaderHandleRepository extends TenantRepository<ReaderHandle> {
  constructor(db: DatabaseService) {
    super(db, ReaderHandle, 'Reader handle');
  }

  /** The handles among `wanted` that exist, whoever they belong to. */
  async findValues(scope: LibraryScope, wanted: Array<{ kind: HandleKind; value: string }>): Promise<ReaderHandle[]> {
    if (wanted.length === 0) return [];
    const kinds = [...new Set(wanted.map((w) => w.kind))];
    const rows = await this.find(scope, { kind: In(kinds), value: In(wanted.map((w) => w.value)) });
    return rows.filter(isWanted(wanted));
  }

  /** As `findValues`, each with its reader, in one read. */
  async findValuesWithReaders(
    scope: LibraryScope,
    wanted: Array<{ kind: HandleKind; value: string }>,
  ): Promise<Array<ReaderHandle & { reader: Reader }>> {
    if (wanted.length === 0) return [];
    const rows = await this.query(scope, 'handle')
      .innerJoinAndSelect('handle.reader', 'reader')
      .andWhere('handle.kind IN (:...kinds)', { kinds: [...new Set(wanted.map((w) => w.kind))] })
      .andWhere('handle.value IN (:...values)', { values: [...new Set(wanted.map((w) => w.value))] })
      .getMany();
    // An inner join: every row has its reader.
    return rows.filter(isWanted(wanted)) as Array<ReaderHandle & { reader: Reader }>;
  }

  forReader(scope: LibraryScope, readerId: string): Promise<ReaderHandle[]> {
    return this.find(scope, { readerId }, { createdAt: 'ASC' });
  }

  moveAll(scope: LibraryScope, fromReaderId: string, toReaderId: string): Promise<number> {
    return this.updateWhere(scope, { readerId: fromReaderId }, { readerId: toReaderId });
  }
}
