import { defineErrors } from '@readerdesk/platform';

export const SlaErrors = defineErrors({
  /** A target ≤ 0, a warning share outside (0, 1), or no target at all; `errors` names the field. */
  invalid_sla_policy: 400,
});
