import { Injectable } from '@nestjs/common';
import { LibraryScope } from '@readerdesk/platform';
import { HandleKind, ReaderHandle } from './reader-handle.entity';
import { ReaderHandleRepository } from './reader-handle.repository';
import { Reader } from './reader.entity';
import { ReaderRepository } from './reader.repository';

/** What the library records about a reader beyond their handles (set by staff, the ILS or the demo seed). */
export type ReaderDetails = Partial<
  Pick<Reader, 'displayName' | 'preferredLanguage' | 'category' | 'homeBranchId' | 'keepHistory'>
>;

/** Readers and their handles as they are; finding, merging and unlinking them is IdentityService's. */
@Injectable()
export class ReaderService {
  constructor(
    private readonly readers: ReaderRepository,
    private readonly handles: ReaderHandleRepository,
  ) {}

  /** The reader, or a 404. */
  get(scope: LibraryScope, id: string): Promise<Reader> {
    return this.readers.getById(scope, id);
  }

  /** The reader's handles. */
  handlesOf(scope: LibraryScope, readerId: string): Promise<ReaderHandle[]> {
    return this.handles.forReader(scope, readerId);
  }

  /** The handles with these (normalised) kinds and values, whoever they belong to. */
  findHandles(scope: LibraryScope, wanted: Array<{ kind: HandleKind; value: string }>): Promise<ReaderHandle[]> {
    return this.handles.findValues(scope, wanted);
  }

  async updateDetails(scope: LibraryScope, id: string, details: ReaderDetails): Promise<void> {
    await this.readers.update(scope, id, details);
  }
}
