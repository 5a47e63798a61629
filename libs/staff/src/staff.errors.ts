import { defineErrors } from '@readerdesk/platform';

export const StaffErrors = defineErrors({
  unauthenticated: 401,
  invalid_credentials: 401,
  refresh_token_invalid: 401,
  /** The token was issued before the account's role, departments or status changed (or it was deactivated). */
  token_revoked: 401,
  forbidden: 403,
  csrf_failed: 403,
  duplicate: 409,
  /** A department's reference the DTO cannot check (its branch is not one of the library's); `errors` names the field. */
  invalid_department: 400,
  api_key_invalid: 401,
  api_key_scope: 403,
  invalid_api_key_scope: 400,
});
