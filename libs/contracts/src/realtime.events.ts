/**
 * What the server pushes to agent consoles (socket.io), by event name. Shared with the front ends
 * as plain types: no Nest or ORM imports here.
 */
export interface ServerToClientEvents {
  'conversation.opened': (event: {
    conversationId: string;
    readerId: string;
    departmentId: string | null;
    channel: string;
  }) => void;
  'message.appended': (event: {
    conversationId: string;
    messageId: string;
    kind: string;
    departmentId: string | null;
  }) => void;
  /**
   * An outbound message's delivery moved on: queued, sent, or failed (the console shows failures).
   * "sending" (a worker's attempt under way) is never announced, but the timeline may show it.
   */
  'message.delivery-changed': (event: {
    conversationId: string;
    messageId: string;
    status: 'queued' | 'sending' | 'sent' | 'failed';
    error: string | null;
  }) => void;
  'conversation.status-changed': (event: { conversationId: string; from: string; to: string }) => void;
  /**
   * Subject, priority, tags, department or assignee changed. After a transfer both departments
   * hear it (the old one to drop the conversation from its queue); the new assignee hears it too.
   */
  'conversation.updated': (event: {
    conversationId: string;
    departmentId: string | null;
    previousDepartmentId: string | null;
    assigneeId: string | null;
    changed: string[];
  }) => void;
  /**
   * Sent just before the server drops a socket whose handshake token is missing, forged or expired
   * (`unauthenticated`), or whose account was deactivated (`token_revoked`).
   */
  'auth.error': (error: { code: string; message: string }) => void;
  /**
   * The signed-in member of staff's role or departments changed: the socket's rooms follow already,
   * and the access token from before is refused from now on (refresh it).
   */
  'access.changed': (event: { role: string; departmentIds: string[] }) => void;
  'presence.changed': (event: { agentId: string; from: string; to: string; at: string }) => void;
  /**
   * A mailbox began failing (`failing`: five failures in a row or two minutes of them), or reads mail
   * again after failing (`connected`). To the library's supervisors and administrators, once per change.
   */
  'mailbox.health-changed': (event: {
    inboxId: string;
    address: string;
    state: 'failing' | 'connected';
    error: string | null;
    consecutiveFailures: number;
    since: string;
  }) => void;
  /**
   * An SLA clock reached its warning share (80 % by default) or passed its target: to the
   * conversation's department (or triage), its followers and the library's supervisors.
   */
  'sla.warning': (event: SlaAlertEvent) => void;
  /**
   * A conversation is offered to this agent (their own room only): accept or reject it over REST or
   * with `offer.accept` / `offer.reject` before `expiresAt` (null: no countdown, as in broadcast mode).
   */
  'offer.created': (event: OfferCreatedEvent) => void;
  /** The agent accepted: the conversation is theirs. */
  'offer.accepted': (event: { offerId: string; conversationId: string }) => void;
  /** The offer is gone from the agent's screen: rejected, timed out, taken by someone else, withdrawn. */
  'offer.ended': (event: { offerId: string; conversationId: string; reason: string }) => void;
  /**
   * An internal note mentions this member of staff (`@maria`): to their own room only, and only when
   * they may see the conversation. `GET /api/v1/mentions` lists them; `excerpt` is the note's start.
   */
  'mention.created': (event: {
    mentionId: string;
    conversationId: string;
    messageId: string;
    byAgentId: string;
    byName: string | null;
    excerpt: string;
    at: string;
  }) => void;
  'sla.breached': (event: SlaAlertEvent) => void;
  /**
   * A library's queue statistics moved (counts, what waits, agents' presence or load): read
   * `GET /api/v1/queue-stats` again. To supervisors and administrators, at most every 2 s per
   * library and desk process while something changes. `departmentIds`: the queues that moved
   * (null: triage); empty when only staffing did.
   */
  'queue-stats.changed': (event: { departmentIds: Array<string | null>; at: string }) => void;
  /**
   * Collision: who is viewing a conversation now, and who is typing in it. To every socket viewing
   * it (`conversation.view`), the caller included, whenever that changes: someone starts or stops
   * viewing (a closed socket too), starts or stops typing, or lets typing lapse. The whole set each
   * time, one entry per member of staff however many tabs they have it open in.
   */
  'conversation.viewers': (event: ConversationViewersEvent) => void;
}

export type TypingMode = 'reply' | 'note';

export interface ConversationViewer {
  agentId: string;
  displayName: string;
  /** What they are typing: a reply to the reader, an internal note, or nothing. */
  typing: TypingMode | null;
  /** When they started viewing (their first tab), ISO 8601. */
  since: string;
}

export interface ConversationViewersEvent {
  conversationId: string;
  /** Longest viewing first. */
  viewers: ConversationViewer[];
}

export interface OfferCreatedEvent {
  offerId: string;
  mode: 'offer' | 'broadcast' | 'manual';
  channel: string;
  departmentId: string;
  offeredAt: string;
  expiresAt: string | null;
  /** Milliseconds left when the server sent it (the console counts down from here, whatever its clock says). */
  timeoutMs: number | null;
  conversation: { id: string; number: number; subject: string | null; priority: string; departmentId: string | null };
  reader: { id: string; displayName: string | null };
}

export interface SlaAlertEvent {
  conversationId: string;
  departmentId: string | null;
  target: 'firstResponse' | 'nextResponse' | 'resolution';
  policyId: string | null;
  dueAt: string;
}

export interface ClientToServerEvents {
  /** Follow one conversation (its messages and status); refused unless the agent may see it. */
  'conversation.join': (
    request: { conversationId: string },
    ack: (answer: { ok: boolean; error?: string }) => void,
  ) => void;
  /** Stop following and viewing a conversation (both, whichever the socket did). */
  'conversation.leave': (
    request: { conversationId: string },
    ack: (answer: { ok: boolean; error?: string }) => void,
  ) => void;
  /**
   * Start viewing a conversation (collision): refused (`not_found`) unless the agent may see it.
   * The socket then hears `conversation.viewers` for it until `conversation.leave` or disconnect.
   * Viewing does not follow its messages: send `conversation.join` for those.
   */
  'conversation.view': (
    request: { conversationId: string },
    ack: (answer: { ok: boolean; error?: string }) => void,
  ) => void;
  /**
   * Typing in a conversation the socket views (`not_viewing` otherwise). `typing: true` lasts a few
   * seconds (DESK_TYPING_EXPIRY_MS, 6 s by default): send it again while the agent keeps typing.
   */
  'conversation.typing': (
    request: { conversationId: string; mode: TypingMode; typing: boolean },
    ack: (answer: { ok: boolean; error?: string }) => void,
  ) => void;
  /** Answer one of the agent's offers; the ack carries the REST answer's error code on refusal. */
  'offer.accept': (request: { offerId: string }, ack: (answer: { ok: boolean; error?: string }) => void) => void;
  'offer.reject': (request: { offerId: string }, ack: (answer: { ok: boolean; error?: string }) => void) => void;
}

export const rooms = {
  agent: (agentId: string) => `agent:${agentId}`,
  department: (departmentId: string) => `department:${departmentId}`,
  /** Administrators: every department of the library, those created later included. */
  allDepartments: (libraryId: string) => `departments:${libraryId}`,
  /** Conversations no department has claimed yet, per library. */
  triage: (libraryId: string) => `triage:${libraryId}`,
  /** Supervisors and administrators: staffing (presence) and the channels' health (failing mailboxes). */
  supervisors: (libraryId: string) => `supervisors:${libraryId}`,
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  /** The sockets viewing a conversation (collision), apart from those following it. */
  viewing: (conversationId: string) => `viewing:${conversationId}`,
};
