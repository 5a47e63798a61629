import { defineErrors } from './define-errors';

/** The errors of the platform itself, and the ones every library shares. */
export const PlatformErrors = defineErrors({
  not_found: 404,
  database_unavailable: 503,
  redis_unavailable: 503,
  secret_unreadable: 500,
  attachment_too_large: 413,
});
