import { defineErrors } from '@readerdesk/platform';

export const ConversationErrors = defineErrors({
  invalid_status_change: 409,
  snooze_needs_future_time: 400,
  resolution_needs_statistics: 400,
  conversation_closed: 409,
  assignment_forbidden: 403,
  assignment_changed: 409,
  unknown_assignee: 400,
  assignee_not_in_department: 400,
  empty_attachment: 400,
  attachment_in_use: 409,
  external_id_required: 400,
  empty_message: 400,
  no_conversation: 409,
});
