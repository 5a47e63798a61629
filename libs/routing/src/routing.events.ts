import { defineEvent } from '@readerdesk/platform';

/**
 * A library's routing rules changed (created, edited, moved, removed). Delivered in every process,
 * so that each one's cache of rules is dropped at once; the cache also expires on its own, since
 * delivery elsewhere is best effort.
 */
export const RoutingRulesChanged = defineEvent<{ libraryId: string }>('routing.rules-changed', {
  everyProcess: true,
});
