import { defineErrors } from '@readerdesk/platform';

export const ReaderErrors = defineErrors({
  no_handles: 400,
  merge_same_reader: 400,
  reader_already_merged: 409,
  last_handle: 409,
});
