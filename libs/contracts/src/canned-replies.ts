// Canned replies' placeholders, shared by the server that fills them (libs/canned-replies) and the
// console that offers them while an answer is written.

/** What a canned reply's text may use, filled in per conversation. */
export const PLACEHOLDERS = [
  'reader.first_name',
  'reader.name',
  'agent.name',
  'agent.first_name',
  'conversation.reference',
  'library.name',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
