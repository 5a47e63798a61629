import { defineErrors } from '@readerdesk/platform';

export const RoutingErrors = defineErrors({
  /** A rule that cannot be saved as sent; `errors` names the fields at fault. */
  invalid_routing_rule: 400,
});
