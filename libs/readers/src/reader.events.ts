import { defineEvent } from '@readerdesk/platform';

export const ReaderCreated = defineEvent<{ libraryId: string; readerId: string }>('readers.created');
/** Everything of `sourceReaderId` now belongs to `targetReaderId`; owners of reader data (conversations…) move theirs. */
export const ReadersMerged = defineEvent<{
  libraryId: string;
  targetReaderId: string;
  sourceReaderId: string;
  actorAgentId: string | null;
}>('readers.merged');
export const ReaderHandleUnlinked = defineEvent<{
  libraryId: string;
  handleId: string;
  fromReaderId: string;
  toReaderId: string;
}>('readers.handle-unlinked');
