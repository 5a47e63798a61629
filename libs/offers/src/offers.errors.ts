import { defineErrors } from '@readerdesk/platform';

export const OfferErrors = defineErrors({
  /** The offer is another agent's. */
  offer_not_yours: 409,
  /** The offer ended before this answer: timed out, handed on, withdrawn, taken by someone else; `reason` says which. */
  offer_ended: 409,
  /** The agent holds as many conversations of this channel as their capacity allows. */
  offer_over_capacity: 409,
  /** Overlapping or unknown fields of a department's offer settings; `errors` names the field. */
  invalid_offer_settings: 400,
});
