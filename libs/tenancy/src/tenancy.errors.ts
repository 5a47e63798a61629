import { defineErrors } from '@readerdesk/platform';

export const TenancyErrors = defineErrors({
  invalid_time_zone: 400,
  duplicate_code: 409,
  invalid_origin: 400,
});
