import { defineErrors } from '@readerdesk/platform';

export const CannedReplyErrors = defineErrors({
  /** The shortcut is taken by another reply of the same department (or of the whole library). */
  duplicate_shortcut: 409,
});
