import { defineErrors } from '@readerdesk/platform';

/** Errors of the HTTP surface itself: query parameters the services never see. */
export const ApiErrors = defineErrors({
  invalid_cursor: 400,
  invalid_date: 400,
  invalid_date_range: 400,
  empty_search: 400,
  invalid_disposition: 400,
});
