import { defineErrors } from '@readerdesk/platform';

export const ChannelErrors = defineErrors({
  invalid_address: 400,
  not_email_inbox: 409,
  address_taken: 409,
  invalid_imap: 400,
  invalid_smtp: 400,
});
