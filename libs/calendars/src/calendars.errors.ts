import { defineErrors } from '@readerdesk/platform';

export const CalendarErrors = defineErrors({
  /** A weekly period, holiday or closure that cannot be used; `errors` names each field. */
  invalid_calendar: 400,
  /** An `.ics` upload that is not iCalendar, or expands into too much; `errors` names the event. */
  invalid_ics: 400,
  ics_too_large: 413,
  /** Holidays are imported into a calendar that has opening hours already. */
  calendar_not_configured: 409,
});
