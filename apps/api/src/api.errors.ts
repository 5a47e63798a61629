import { defineErrors } from '@readerdesk/platform';

/** Errors of the HTTP surface itself: query parameters the services never see. */
export const ApiErrors = defineErrors({
  invalid_cursor: 400,
  invalid_date: 400,
  invalid_date_range: 400,
  empty_search: 400,
  invalid_disposition: 400,
  /** An upload sent with a media type the route does not read (an .ics file as JSON). */
  unsupported_media_type: 415,
});
