import { defineErrors } from '@readerdesk/platform';

export const ChannelErrors = defineErrors({
  invalid_address: 400,
  not_email_inbox: 409,
  address_taken: 409,
  invalid_imap: 400,
  invalid_smtp: 400,
  /** Unprocessed mail was converted or discarded already. */
  unprocessed_not_pending: 409,
  /** Converting mail without a sender needs the reader's address. */
  reader_address_required: 400,
  /** The raw message of discarded mail is removed. */
  raw_discarded: 410,
});
