import { defineErrors } from '@readerdesk/platform';

/** Thrown by IdentityService (its throw sites still name these codes as strings; same codes, same statuses). */
export const ReaderErrors = defineErrors({
  no_handles: 400,
  merge_same_reader: 400,
  reader_already_merged: 409,
  last_handle: 409,
});
