import { randomUUID } from 'node:crypto';
import { EmailIngestService } from '@readerdesk/channels';
import { Inbox, MessageMention } from '@readerdesk/conversations';
import { Offer } from '@readerdesk/offers';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Every operation of the OpenAPI document, called by every role against what belongs to another
 * department and to another library. Whatever the caller may not see answers 404 (as if it did not
 * exist), what the role may not do answers 403, nobody signed in gets 401, and no answer carries
 * anything of what the caller may not read. Afterwards the other library's rows and the other
 * department's conversation are exactly as before. A new operation fails the first test until it
 * is described here.
 */

type Role = 'administrator' | 'supervisor' | 'agent';
const RANK: Record<Role, number> = { agent: 0, supervisor: 1, administrator: 2 };

/** What a caller reaches for: one set in the caller's own department, one in another department, one in another library. */
interface Target {
  libraryId: string;
  inboxId: string;
  emailInboxId: string;
  /** Mail held in the email inbox's unprocessed list (it has no sender). */
  unprocessedMailId: string;
  conversationId: string;
  attachmentId: string;
  readerId: string;
  readerEmail: string;
  handleId: string;
  departmentId: string;
  branchId: string;
  agentId: string;
  /** An API key of the target's library. */
  apiKeyId: string;
  /** A routing rule of the target's library (rules belong to the library, not to a department). */
  routingRuleId: string;
  /** An SLA policy of the target's library. */
  slaPolicyId: string;
  /** An offer (ended) of the target's conversation to the target's agent. */
  offerId: string;
  /** A canned reply of the target's department. */
  cannedReplyId: string;
  /** The mention of the target's agent by the note on the target's conversation. */
  mentionId: string;
  /** Strings that must never appear in an answer to someone who may not see this target. */
  secrets: string[];
}

interface Case {
  /** Shown in the test name when an operation has several. */
  name?: string;
  /** Path parameters; `t` is the target under test, `home` what the caller may see. */
  params?: (t: Target, home: Target) => Record<string, string>;
  body?: (t: Target, home: Target) => unknown;
  query?: (t: Target, home: Target) => Record<string, string>;
  upload?: boolean;
  /**
   * 'library': the call names something of the target (path or body), so it must answer 404 when the
   * target is another library; 'department': also when it is another department. Undefined: the call
   * names nothing of the target's, so it may succeed, but must not leak.
   */
  reaches?: 'library' | 'department';
  /** Only against this target: a call that names the target in its body and succeeds on a department's own target would change what the caller may see. */
  only?: 'another library';
  /** The answer when it is refused, if not 404 not_found: a body that names something unknown is the same refusal as for an id that does not exist. */
  refused?: Partial<Record<Role, { status: number; code: string }>>;
  /** The refusal where it differs by target: another agent's offer in the caller's own library is a conflict (409), not unknown. */
  refusedIn?: Partial<Record<'another library' | 'another department', { status: number; code: string }>>;
}

interface Operation {
  role: Role;
  cases: Case[];
}

let unique = 0;
const next = (): number => ++unique;

const PUBLIC_OPERATIONS: Record<string, string> = {
  'GET /health': 'liveness, no data',
  'GET /ready': 'readiness, no data',
  'GET /api/v1/libraries/{slug}': "a library's public name and branches, by design",
  'POST /api/v1/auth/login': 'signs in; tested in auth.e2e-spec',
  'POST /api/v1/auth/refresh': 'takes a refresh token, not an access token; tested in auth.e2e-spec',
  'POST /api/v1/auth/logout': 'takes a refresh token; tested in auth.e2e-spec',
};

const OPERATIONS: Record<string, Operation> = {
  'GET /api/v1/auth/me': { role: 'agent', cases: [{}] },
  'GET /api/v1/library': { role: 'agent', cases: [{}] },
  'GET /api/v1/api-keys': { role: 'administrator', cases: [{}] },
  'POST /api/v1/api-keys': {
    role: 'administrator',
    cases: [
      { name: 'read', body: () => ({ name: 'Reporting', scopes: ['read'] }) },
      { name: 'ingest', body: (t) => ({ name: 'Form', scopes: [`ingest:${t.inboxId}`] }), reaches: 'library' },
    ],
  },
  'DELETE /api/v1/api-keys/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.apiKeyId }), reaches: 'library' }],
  },
  'PATCH /api/v1/library': { role: 'administrator', cases: [{ body: () => ({ defaultLanguage: 'en' }) }] },
  'GET /api/v1/branches': { role: 'agent', cases: [{}] },
  'POST /api/v1/branches': {
    role: 'administrator',
    cases: [{ body: () => ({ code: `b${next()}`, name: 'Pop-up branch', timeZone: 'America/New_York' }) }],
  },
  'PATCH /api/v1/branches/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.branchId }), body: () => ({ name: 'Renamed' }), reaches: 'library' }],
  },
  'GET /api/v1/departments': { role: 'agent', cases: [{}] },
  'POST /api/v1/departments': {
    role: 'administrator',
    cases: [{ body: () => ({ code: `d${next()}`, name: 'Makerspace' }) }],
  },
  'PATCH /api/v1/departments/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.departmentId }), body: () => ({ name: 'Renamed' }), reaches: 'library' }],
  },
  'GET /api/v1/branches/{id}/calendar': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.branchId }), reaches: 'library' }],
  },
  'PUT /api/v1/branches/{id}/calendar': {
    role: 'administrator',
    cases: [
      {
        params: (t) => ({ id: t.branchId }),
        body: () => ({ weekly: [{ day: 'monday', start: '09:00', end: '17:00' }] }),
        reaches: 'library',
      },
    ],
  },
  'DELETE /api/v1/branches/{id}/calendar': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.branchId }), reaches: 'library' }],
  },
  'POST /api/v1/branches/{id}/calendar/holidays/import': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.branchId }), upload: true, reaches: 'library' }],
  },
  'GET /api/v1/branches/{id}/calendar/open': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.branchId }), query: () => ({ at: '2026-12-07T15:00:00Z' }), reaches: 'library' }],
  },
  'GET /api/v1/branches/{id}/calendar/next-opening': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.branchId }), reaches: 'library' }],
  },
  'GET /api/v1/branches/{id}/calendar/business-time': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.branchId }),
        query: () => ({ from: '2026-12-04T21:00:00Z', to: '2026-12-07T15:00:00Z' }),
        reaches: 'library',
      },
    ],
  },
  'GET /api/v1/departments/{id}/calendar': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.departmentId }), reaches: 'library' }],
  },
  'PUT /api/v1/departments/{id}/calendar': {
    role: 'administrator',
    cases: [
      {
        params: (t) => ({ id: t.departmentId }),
        body: () => ({ weekly: [{ day: 'monday', start: '09:00', end: '17:00' }] }),
        reaches: 'library',
      },
    ],
  },
  'DELETE /api/v1/departments/{id}/calendar': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.departmentId }), reaches: 'library' }],
  },
  'POST /api/v1/departments/{id}/calendar/holidays/import': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.departmentId }), upload: true, reaches: 'library' }],
  },
  'GET /api/v1/departments/{id}/calendar/open': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.departmentId }), query: () => ({ at: '2026-12-07T15:00:00Z' }), reaches: 'library' },
    ],
  },
  'GET /api/v1/departments/{id}/calendar/next-opening': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.departmentId }), reaches: 'library' }],
  },
  'GET /api/v1/departments/{id}/calendar/business-time': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.departmentId }),
        query: () => ({ from: '2026-12-04T21:00:00Z', to: '2026-12-07T15:00:00Z' }),
        reaches: 'library',
      },
    ],
  },
  'GET /api/v1/offers': { role: 'agent', cases: [{}] },
  'POST /api/v1/offers/{id}/accept': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.offerId }),
        reaches: 'department',
        refusedIn: { 'another department': { status: 409, code: 'offer_not_yours' } },
      },
    ],
  },
  'POST /api/v1/offers/{id}/reject': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.offerId }),
        reaches: 'department',
        refusedIn: { 'another department': { status: 409, code: 'offer_not_yours' } },
      },
    ],
  },
  'GET /api/v1/departments/{id}/offer-settings': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.departmentId }), reaches: 'department' }],
  },
  'PUT /api/v1/departments/{id}/offer-settings': {
    role: 'administrator',
    cases: [
      { params: (t) => ({ id: t.departmentId }), body: () => ({ agentOrder: 'least_busy' }), reaches: 'library' },
    ],
  },
  'GET /api/v1/sla-policies': { role: 'supervisor', cases: [{}] },
  'GET /api/v1/queue-stats': {
    role: 'supervisor',
    cases: [
      {},
      // A supervisor's departments only: another department's figures read like another library's.
      {
        name: 'filtered to the target department',
        query: (t) => ({ departmentId: t.departmentId }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/sla-policies': {
    role: 'administrator',
    cases: [
      { body: () => ({ name: `Policy ${next()}`, firstResponseMinutes: 60 }) },
      {
        name: "for the target's department",
        only: 'another library',
        body: (t) => ({ name: `Policy ${next()}`, departmentId: t.departmentId, firstResponseMinutes: 60 }),
        reaches: 'library',
      },
    ],
  },
  'GET /api/v1/sla-policies/{id}': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.slaPolicyId }), reaches: 'library' }],
  },
  'PATCH /api/v1/sla-policies/{id}': {
    role: 'administrator',
    cases: [
      { params: (t) => ({ id: t.slaPolicyId }), body: () => ({ resolutionMinutes: 600 }), reaches: 'library' },
      {
        name: "to the target's department",
        only: 'another library',
        params: (_, home) => ({ id: home.slaPolicyId }),
        body: (t) => ({ departmentId: t.departmentId }),
        reaches: 'library',
      },
    ],
  },
  'DELETE /api/v1/sla-policies/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.slaPolicyId }), reaches: 'library' }],
  },
  'GET /api/v1/agents': { role: 'supervisor', cases: [{}] },
  'POST /api/v1/agents': {
    role: 'administrator',
    cases: [
      {
        body: (t) => ({
          email: `new${next()}@matrix.example.org`,
          displayName: 'New Agent',
          role: 'agent',
          password: 'a-long-enough-password',
          departmentIds: [t.departmentId],
        }),
        reaches: 'library',
      },
    ],
  },
  'PATCH /api/v1/agents/{id}': {
    role: 'administrator',
    cases: [
      { params: (t) => ({ id: t.agentId }), body: () => ({ displayName: 'Renamed' }), reaches: 'library' },
      {
        name: "into the target's department",
        only: 'another library',
        params: (_, home) => ({ id: home.agentId }),
        body: (t) => ({ departmentIds: [t.departmentId] }),
        reaches: 'library',
      },
    ],
  },
  'PUT /api/v1/agents/me/presence': { role: 'agent', cases: [{ body: () => ({ presence: 'available' }) }] },
  'GET /api/v1/agents/{id}/presence-changes': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.agentId }), reaches: 'library' }],
  },
  'GET /api/v1/inboxes': { role: 'agent', cases: [{}] },
  'POST /api/v1/inboxes': {
    role: 'administrator',
    cases: [
      { body: (t) => ({ channel: 'api', name: 'Form', defaultDepartmentId: t.departmentId }), reaches: 'library' },
    ],
  },
  'POST /api/v1/inboxes/{id}/messages': {
    role: 'administrator',
    cases: [
      {
        params: (t) => ({ id: t.inboxId }),
        body: () => ({
          externalId: `m${next()}`,
          handles: [{ kind: 'email', value: 'x@matrix.example.org' }],
          text: 'hi',
        }),
        reaches: 'library',
      },
      {
        name: "another reader's address into one's own inbox",
        only: 'another library',
        params: (_, home) => ({ id: home.inboxId }),
        body: (t) => ({ externalId: `m${next()}`, handles: [{ kind: 'email', value: t.readerEmail }], text: 'hi' }),
      },
    ],
  },
  'POST /api/v1/inboxes/email': {
    role: 'administrator',
    cases: [
      {
        body: (t) => ({
          name: 'Mail',
          address: `ask${next()}@matrix.example.org`,
          defaultDepartmentId: t.departmentId,
        }),
        reaches: 'library',
      },
    ],
  },
  'GET /api/v1/inboxes/{id}/email': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.emailInboxId }), reaches: 'library' }],
  },
  'PATCH /api/v1/inboxes/{id}/email': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.emailInboxId }), body: () => ({ fromName: 'Renamed' }), reaches: 'library' }],
  },
  'GET /api/v1/inboxes/{id}/unprocessed-mail': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.emailInboxId }), reaches: 'department' }],
  },
  'GET /api/v1/inboxes/{id}/unprocessed-mail/{mailId}': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.emailInboxId, mailId: t.unprocessedMailId }), reaches: 'department' },
      {
        name: "the target's mail through one's own inbox",
        params: (t, home) => ({ id: home.emailInboxId, mailId: t.unprocessedMailId }),
        reaches: 'department',
      },
    ],
  },
  'GET /api/v1/inboxes/{id}/unprocessed-mail/{mailId}/raw': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.emailInboxId, mailId: t.unprocessedMailId }), reaches: 'department' },
      {
        name: "the target's mail through one's own inbox",
        params: (t, home) => ({ id: home.emailInboxId, mailId: t.unprocessedMailId }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/inboxes/{id}/unprocessed-mail/{mailId}/convert': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.emailInboxId, mailId: t.unprocessedMailId }),
        body: () => ({ email: 'held.reader@matrix.example.org' }),
        reaches: 'department',
      },
      {
        name: "the target's mail through one's own inbox",
        params: (t, home) => ({ id: home.emailInboxId, mailId: t.unprocessedMailId }),
        body: () => ({ email: 'held.reader@matrix.example.org' }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/inboxes/{id}/unprocessed-mail/{mailId}/discard': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.emailInboxId, mailId: t.unprocessedMailId }), reaches: 'department' },
      {
        name: "the target's mail through one's own inbox",
        params: (t, home) => ({ id: home.emailInboxId, mailId: t.unprocessedMailId }),
        reaches: 'department',
      },
    ],
  },
  'GET /api/v1/conversations': {
    role: 'agent',
    cases: [
      {},
      { name: 'filtered to the target department', query: (t) => ({ departmentId: t.departmentId }) },
      { name: "filtered to the target's reader", query: (t) => ({ readerId: t.readerId }) },
      { name: "searching the target's words", query: (t) => ({ q: t.secrets[0] }) },
    ],
  },
  // Counts over what the caller may see: another department's conversations count for nobody there.
  'GET /api/v1/conversations/counts': { role: 'agent', cases: [{}] },
  'GET /api/v1/conversations/{id}': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.conversationId }), reaches: 'department' }],
  },
  'GET /api/v1/conversations/{id}/timeline': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.conversationId }), reaches: 'department' }],
  },
  'POST /api/v1/conversations/{id}/status': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.conversationId }), body: () => ({ status: 'pending' }), reaches: 'department' }],
  },
  'PATCH /api/v1/conversations/{id}': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.conversationId }), body: () => ({ priority: 'high' }), reaches: 'department' }],
  },
  'POST /api/v1/conversations/{id}/assign': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.conversationId }), body: () => ({ assigneeId: null }), reaches: 'department' },
      {
        name: "to the target's agent",
        params: (_, home) => ({ id: home.conversationId }),
        body: (t) => ({ assigneeId: t.agentId }),
        reaches: 'library',
        only: 'another library',
        refused: {
          administrator: { status: 400, code: 'unknown_assignee' },
          supervisor: { status: 400, code: 'unknown_assignee' },
          // Agents take or release a conversation themselves; giving it to anyone else is refused before anything is looked up.
          agent: { status: 403, code: 'assignment_forbidden' },
        },
      },
    ],
  },
  'POST /api/v1/conversations/{id}/transfer': {
    role: 'agent',
    cases: [
      {
        params: (t) => ({ id: t.conversationId }),
        body: (_, home) => ({ departmentId: home.departmentId }),
        reaches: 'department',
      },
      {
        name: "to the target's department",
        only: 'another library',
        params: (_, home) => ({ id: home.conversationId }),
        body: (t) => ({ departmentId: t.departmentId }),
        reaches: 'library',
      },
    ],
  },
  'POST /api/v1/conversations/{id}/replies': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.conversationId }), body: () => ({ text: 'A reply' }), reaches: 'department' },
      {
        name: "with the target's attachment",
        params: (_, home) => ({ id: home.conversationId }),
        body: (t) => ({ text: 'A reply', attachmentIds: [t.attachmentId] }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/conversations/{id}/notes': {
    role: 'agent',
    cases: [
      { params: (t) => ({ id: t.conversationId }), body: () => ({ text: 'A note' }), reaches: 'department' },
      {
        name: "with the target's attachment",
        params: (_, home) => ({ id: home.conversationId }),
        body: (t) => ({ text: 'A note', attachmentIds: [t.attachmentId] }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/conversations/{id}/attachments': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.conversationId }), upload: true, reaches: 'department' }],
  },
  'GET /api/v1/attachments/{id}': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.attachmentId }), reaches: 'department' }],
  },
  'GET /api/v1/attachments/{id}/content': {
    role: 'agent',
    cases: [{ params: (t) => ({ id: t.attachmentId }), reaches: 'department' }],
  },
  'POST /api/v1/readers/resolve': {
    role: 'agent',
    cases: [{ body: (t) => ({ handles: [{ kind: 'email', value: t.readerEmail }] }) }],
  },
  'GET /api/v1/readers/{id}': {
    role: 'agent',
    // Readers belong to the library, not to a department: another department's reader is visible, without its conversations' words.
    cases: [{ params: (t) => ({ id: t.readerId }), reaches: 'library' }],
  },
  'POST /api/v1/readers/{id}/merge': {
    role: 'supervisor',
    cases: [
      {
        params: (t) => ({ id: t.readerId }),
        body: (_, home) => ({ sourceReaderId: home.readerId }),
        reaches: 'library',
      },
      {
        name: "taking in the target's reader",
        only: 'another library',
        params: (_, home) => ({ id: home.readerId }),
        body: (t) => ({ sourceReaderId: t.readerId }),
        reaches: 'library',
      },
    ],
  },
  'GET /api/v1/routing-rules': { role: 'supervisor', cases: [{}] },
  'POST /api/v1/routing-rules': {
    role: 'administrator',
    cases: [
      { body: () => ({ name: 'Urgent words', conditions: [], actions: { priority: 'urgent' } }) },
      {
        name: "to the target's department",
        only: 'another library',
        body: (t) => ({ name: 'Elsewhere', conditions: [], actions: { departmentId: t.departmentId } }),
        reaches: 'library',
        // A department the library does not have is a field at fault, whoever's it is.
        refused: { administrator: { status: 400, code: 'invalid_routing_rule' } },
      },
    ],
  },
  'PUT /api/v1/routing-rules/order': {
    role: 'administrator',
    cases: [{ only: 'another library', body: (t) => ({ ids: [t.routingRuleId] }), reaches: 'library' }],
  },
  'POST /api/v1/routing-rules/dry-run': {
    role: 'supervisor',
    cases: [{ body: (t) => ({ inboxId: t.inboxId, text: 'interlibrary loan' }), reaches: 'library' }],
  },
  'GET /api/v1/routing-rules/{id}': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.routingRuleId }), reaches: 'library' }],
  },
  'PATCH /api/v1/routing-rules/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.routingRuleId }), body: () => ({ name: 'Renamed' }), reaches: 'library' }],
  },
  'DELETE /api/v1/routing-rules/{id}': {
    role: 'administrator',
    cases: [{ params: (t) => ({ id: t.routingRuleId }), reaches: 'library' }],
  },
  'POST /api/v1/reader-handles/{id}/unlink': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.handleId }), reaches: 'library' }],
  },
  'GET /api/v1/canned-replies': {
    role: 'agent',
    cases: [
      {},
      {
        name: 'filtered to the target department',
        query: (t) => ({ departmentId: t.departmentId }),
        reaches: 'department',
      },
    ],
  },
  'POST /api/v1/canned-replies': {
    role: 'supervisor',
    cases: [
      { body: (_, home) => ({ title: `Reply ${next()}`, text: 'Hello', departmentId: home.departmentId }) },
      {
        name: "for the target's department",
        body: (t) => ({ title: `Reply ${next()}`, text: 'Hello', departmentId: t.departmentId }),
        reaches: 'department',
      },
    ],
  },
  'PATCH /api/v1/canned-replies/{id}': {
    role: 'supervisor',
    cases: [
      { params: (t) => ({ id: t.cannedReplyId }), body: () => ({ title: 'Renamed' }), reaches: 'department' },
      {
        name: "into the target's department",
        params: (_, home) => ({ id: home.cannedReplyId }),
        body: (t) => ({ departmentId: t.departmentId }),
        reaches: 'department',
      },
    ],
  },
  'DELETE /api/v1/canned-replies/{id}': {
    role: 'supervisor',
    cases: [{ params: (t) => ({ id: t.cannedReplyId }), reaches: 'department' }],
  },
  'POST /api/v1/conversations/{id}/canned-replies/{replyId}/render': {
    role: 'agent',
    cases: [
      { params: (t, home) => ({ id: t.conversationId, replyId: home.cannedReplyId }), reaches: 'department' },
      {
        name: "the target's reply in one's own conversation",
        params: (t, home) => ({ id: home.conversationId, replyId: t.cannedReplyId }),
        reaches: 'department',
      },
    ],
  },
  'GET /api/v1/mentions': { role: 'agent', cases: [{}] },
  'POST /api/v1/mentions/{id}/read': {
    role: 'agent',
    // Someone else's mention, in one's own library too, reads as unknown.
    cases: [{ params: (t) => ({ id: t.mentionId }), reaches: 'department' }],
  },
};

function operationPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

describeWithDatabase('authorisation: every operation × role × another department × another library', () => {
  let desk: TestApp;
  const callers = {} as Record<Role, { Authorization: string }>;
  let home: Target;
  let otherDepartment: Target;
  let otherLibrary: Target;
  let snapshotBefore: string;

  async function post(as: { Authorization: string }, path: string, body: unknown): Promise<Response> {
    const res = await desk.http
      .post(path)
      .set(as)
      .send(body as object);
    if (res.status >= 300) throw new Error(`set-up: POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }

  /** An inbox of `department` with one conversation in it: an inbound message, a note and an attachment, all marked with `marker`. */
  async function conversationIn(
    as: { Authorization: string },
    departmentId: string,
    marker: string,
    readerEmail: string,
    mention: string,
  ): Promise<
    Pick<
      Target,
      | 'inboxId'
      | 'emailInboxId'
      | 'unprocessedMailId'
      | 'conversationId'
      | 'attachmentId'
      | 'readerId'
      | 'handleId'
      | 'cannedReplyId'
      | 'mentionId'
    >
  > {
    const inbox = await post(as, '/api/v1/inboxes', {
      channel: 'api',
      name: `Form ${marker}`,
      defaultDepartmentId: departmentId,
    });
    const emailInbox = await post(as, '/api/v1/inboxes/email', {
      name: `Mail ${marker}`,
      address: `ask-${marker.toLowerCase()}@matrix.example.org`,
      defaultDepartmentId: departmentId,
    });
    // Mail without a sender, held in the email inbox's unprocessed list.
    const held = await desk.app
      .get(EmailIngestService)
      .ingestRaw(
        await desk.database.manager.getRepository(Inbox).findOneByOrFail({ id: emailInbox.body.id as string }),
        Buffer.from(
          [
            `To: ask-${marker.toLowerCase()}@matrix.example.org`,
            `Subject: Held ${marker}`,
            `Message-ID: <held-${marker.toLowerCase()}@matrix.example.org>`,
            '',
            `Held question ${marker}`,
            '',
          ].join('\r\n'),
        ),
        'smtp',
      );
    if (held.kind !== 'held') throw new Error(`set-up: mail without a sender was ${held.kind}`);
    const ingested = await post(as, `/api/v1/inboxes/${inbox.body.id}/messages`, {
      externalId: `first-${marker}`,
      handles: [{ kind: 'email', value: readerEmail }],
      displayName: `Reader ${marker}`,
      subject: `Subject ${marker}`,
      text: `Question ${marker}`,
    });
    const conversationId = ingested.body.conversation.id as string;
    // The note mentions the target's agent; the canned reply belongs to the target's department.
    const note = await post(as, `/api/v1/conversations/${conversationId}/notes`, {
      text: `Note ${marker} @${mention}`,
    });
    if (note.body.mentions.length !== 1) throw new Error(`set-up: the note mentions ${JSON.stringify(note.body)}`);
    const mentionRow = await desk.database.manager.getRepository(MessageMention).findOneByOrFail({
      messageId: note.body.id as string,
    });
    const cannedReply = await post(as, '/api/v1/canned-replies', {
      title: `Canned ${marker}`,
      text: `Canned text ${marker} for {{reader.first_name}}`,
      departmentId,
    });
    const upload = await desk.http
      .post(`/api/v1/conversations/${conversationId}/attachments`)
      .query({ filename: `File ${marker}.txt` })
      .set(as)
      .set('Content-Type', 'text/plain')
      .send(Buffer.from(`Attachment ${marker}`));
    if (upload.status !== 201) throw new Error(`set-up: upload answered ${upload.status}`);
    const readerId = ingested.body.conversation.readerId as string;
    const reader = await desk.http.get(`/api/v1/readers/${readerId}`).set(as).expect(200);
    return {
      inboxId: inbox.body.id,
      emailInboxId: emailInbox.body.id,
      unprocessedMailId: held.unprocessedId,
      conversationId,
      attachmentId: upload.body.id,
      readerId,
      handleId: reader.body.handles[0].id,
      cannedReplyId: cannedReply.body.id,
      mentionId: mentionRow.id,
    };
  }

  /** Every row of the other library, and the other department's conversation with its messages and files. */
  async function snapshot(): Promise<string> {
    const placeholder = desk.env.DATABASE_URL ? '$1' : '?';
    const rows = async (table: string, column: string, value: string): Promise<unknown[]> =>
      desk.database.manager.query(`SELECT * FROM ${table} WHERE ${column} = ${placeholder} ORDER BY id`, [value]);
    const tables = [
      'branches',
      'departments',
      'agents',
      'readers',
      'reader_handles',
      'inboxes',
      'conversations',
      'messages',
      'attachments',
      'api_keys',
      'email_unprocessed',
      'calendars',
      'routing_rules',
      'sla_policies',
      'offers',
      'department_offer_settings',
      'canned_replies',
      'message_mentions',
    ];
    const library = await Promise.all(tables.map((table) => rows(table, 'library_id', otherLibrary.libraryId)));
    const department = await Promise.all([
      rows('email_unprocessed', 'inbox_id', otherDepartment.emailInboxId),
      rows('conversations', 'id', otherDepartment.conversationId),
      rows('messages', 'conversation_id', otherDepartment.conversationId),
      rows('attachments', 'conversation_id', otherDepartment.conversationId),
      rows('message_mentions', 'conversation_id', otherDepartment.conversationId),
      rows('canned_replies', 'id', otherDepartment.cannedReplyId),
    ]);
    return JSON.stringify({ library, libraryRow: await rows('libraries', 'id', otherLibrary.libraryId), department });
  }

  beforeAll(async () => {
    desk = await createTestApp();
    const data = new TestData(desk.database);
    callers.administrator = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    callers.supervisor = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD); // Reference + ILL
    callers.agent = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD); // Reference + E-resources
    const admin = callers.administrator;

    const library = (await desk.http.get('/api/v1/library').set(admin).expect(200)).body;
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const agents = (await desk.http.get('/api/v1/agents').set(admin).expect(200)).body as Array<{
      id: string;
      email: string;
    }>;
    const branches = (await desk.http.get('/api/v1/branches').set(admin).expect(200)).body as Array<{ id: string }>;
    const department = (code: string): string => departments.find((d) => d.code === code)!.id;
    const agent = (email: string): string => agents.find((a) => a.email === email)!.id;

    // Offers would hand the conversations below to whoever the matrix makes available (PUT presence): this
    // suite is about access, so every department hands out nothing (offers.e2e-spec tests offers).
    for (const d of departments)
      await desk.http.put(`/api/v1/departments/${d.id}/offer-settings`).set(admin).send({ mode: 'manual' }).expect(200);
    const homeKey = (await post(admin, '/api/v1/api-keys', { name: 'Matrix key', scopes: ['read'] })).body.id as string;
    // The demo's rule (keywords → Inter-library loan).
    const homeRule = (await desk.http.get('/api/v1/routing-rules').set(admin).expect(200)).body[0].id as string;
    const homePolicy = (await post(admin, '/api/v1/sla-policies', { name: 'Matrix policy', firstResponseMinutes: 60 }))
      .body.id as string;
    home = {
      libraryId: library.id,
      ...(await conversationIn(
        admin,
        department('reference'),
        'HOME',
        'home.reader@matrix.example.org',
        'lena.hoffmann',
      )),
      readerEmail: 'home.reader@matrix.example.org',
      departmentId: department('reference'),
      branchId: branches[0].id,
      agentId: agent(DEMO.agents[1].email),
      apiKeyId: homeKey,
      routingRuleId: homeRule,
      slaPolicyId: homePolicy,
      offerId: '',
      secrets: [],
    };
    otherDepartment = {
      libraryId: library.id,
      ...(await conversationIn(
        admin,
        department('circulation'),
        'CIRCSECRET',
        'circ.reader@matrix.example.org',
        'arash.karimi',
      )),
      readerEmail: 'circ.reader@matrix.example.org',
      departmentId: department('circulation'),
      branchId: branches[1].id,
      agentId: agent(DEMO.agents[2].email),
      apiKeyId: homeKey,
      routingRuleId: homeRule,
      slaPolicyId: homePolicy,
      offerId: '',
      secrets: [
        'Question CIRCSECRET',
        'Note CIRCSECRET',
        'Subject CIRCSECRET',
        'File CIRCSECRET',
        'Held CIRCSECRET',
        'held-circsecret',
        'Canned CIRCSECRET',
      ],
    };

    const other = await data.library({ name: 'Elsewhere County Library LIBSECRET' });
    const otherBranch = await data.branch(other, { name: 'Elsewhere Main LIBSECRET' });
    const otherDept = await data.department(other, { name: 'Elsewhere Reference LIBSECRET' });
    const otherAdmin = await data.agent(other, {
      email: 'admin.libsecret@elsewhere.example.org',
      displayName: 'Elsewhere Admin LIBSECRET',
      role: 'administrator',
      password: 'elsewhere-password',
      departments: [otherDept],
    });
    // Someone for the other library's note to mention.
    await data.agent(other, {
      email: 'agent.libsecret@elsewhere.example.org',
      displayName: 'Elsewhere Agent LIBSECRET',
      departments: [otherDept],
    });
    const elsewhere = await desk.signIn(otherAdmin.email, 'elsewhere-password');
    otherLibrary = {
      libraryId: other.id,
      ...(await conversationIn(
        elsewhere,
        otherDept.id,
        'LIBSECRET',
        'reader.libsecret@elsewhere.example.org',
        'agent.libsecret',
      )),
      readerEmail: 'reader.libsecret@elsewhere.example.org',
      departmentId: otherDept.id,
      branchId: otherBranch.id,
      agentId: otherAdmin.id,
      apiKeyId: (await post(elsewhere, '/api/v1/api-keys', { name: 'Elsewhere key', scopes: ['read'] })).body.id,
      routingRuleId: (
        await post(elsewhere, '/api/v1/routing-rules', {
          name: 'Elsewhere rule LIBSECRET',
          conditions: [{ field: 'keywords', op: 'anyOf', values: ['libsecret'] }],
          actions: { departmentId: otherDept.id, tags: ['libsecret'] },
        })
      ).body.id,
      slaPolicyId: (
        await post(elsewhere, '/api/v1/sla-policies', { name: 'Elsewhere policy LIBSECRET', firstResponseMinutes: 5 })
      ).body.id,
      offerId: '',
      secrets: ['LIBSECRET', other.id],
    };
    otherLibrary.secrets.push(
      otherLibrary.conversationId,
      otherLibrary.readerId,
      otherLibrary.attachmentId,
      otherLibrary.apiKeyId,
      otherLibrary.slaPolicyId,
      otherLibrary.unprocessedMailId,
      otherLibrary.cannedReplyId,
      otherLibrary.mentionId,
    );
    otherDepartment.secrets.push(
      otherDepartment.conversationId,
      otherDepartment.attachmentId,
      otherDepartment.unprocessedMailId,
      otherDepartment.cannedReplyId,
      otherDepartment.mentionId,
    );
    // An offer of each target's conversation to its agent, ended already (a pending one would be the sweep's to end).
    for (const t of [home, otherDepartment, otherLibrary]) {
      t.offerId = randomUUID();
      await desk.database.manager.getRepository(Offer).insert({
        id: t.offerId,
        libraryId: t.libraryId,
        conversationId: t.conversationId,
        agentId: t.agentId,
        departmentId: t.departmentId,
        channel: 'api',
        mode: 'offer',
        status: 'ended',
        endReason: 'rejected',
        offeredAt: new Date(),
        expiresAt: null,
        closedAt: new Date(),
      });
    }
    otherLibrary.secrets.push(otherLibrary.offerId);
    snapshotBefore = await snapshot();
  });
  afterAll(async () => desk?.close());

  it('describes every operation of the OpenAPI document (a new one fails here until it is added)', async () => {
    const document = (await desk.http.get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...Object.keys(OPERATIONS), ...Object.keys(PUBLIC_OPERATIONS)].sort());
  });

  const ROLES: Role[] = ['administrator', 'supervisor', 'agent'];
  const cases = Object.entries(OPERATIONS).flatMap(([key, operation]) =>
    operation.cases.map((c) => ({ key, operation, c, title: c.name ? `${key} (${c.name})` : key })),
  );

  async function call(key: string, c: Case, target: Target, as?: { Authorization: string }): Promise<Response> {
    const [method, template] = key.split(' ');
    const path = operationPath(template, c.params?.(target, home) ?? {});
    let request = desk.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](path);
    if (as) request = request.set(as);
    if (c.query) request = request.query(c.query(target, home));
    if (c.upload)
      return request.query({ filename: 'probe.txt' }).set('Content-Type', 'text/plain').send(Buffer.from('probe'));
    const body = c.body?.(target, home);
    return body === undefined ? request : request.send(body as object);
  }

  function expectNoLeak(res: Response, target: Target, title: string): void {
    // A problem's `instance` is the caller's own request path: not something the desk told them.
    const json = res.body && typeof res.body === 'object' ? { ...res.body, instance: undefined } : res.body;
    const text = res.type?.includes('json') ? JSON.stringify(json ?? '') : (res.text ?? '');
    for (const secret of target.secrets) {
      if (text.includes(secret))
        throw new Error(`${title} answered ${res.status} with "${secret}" in it: ${text.slice(0, 500)}`);
    }
  }

  describe.each([
    ['another library', () => otherLibrary],
    ['another department', () => otherDepartment],
  ] as const)('against %s', (where, targetOf) => {
    it.each(cases)('$title: 401 without a token', async ({ key, c }) => {
      const res = await call(key, c, targetOf());
      expect(res.status).toBe(401);
      expectNoLeak(res, targetOf(), key);
    });

    describe.each(ROLES)('as %s', (role) => {
      it.each(cases)('$title', async ({ key, operation, c, title }) => {
        const target = targetOf();
        // Administrators work across every department of their library by design.
        if (where === 'another department' && (role === 'administrator' || c.only === 'another library')) return;
        const res = await call(key, c, target, callers[role]);
        const reaches = c.reaches === 'library' ? where === 'another library' : c.reaches === 'department';
        const expected =
          RANK[role] < RANK[operation.role]
            ? { status: 403, code: 'forbidden' }
            : reaches
              ? (c.refusedIn?.[where] ?? c.refused?.[role] ?? { status: 404, code: 'not_found' })
              : undefined;
        if (expected) {
          expect({ status: res.status, code: res.body?.code }).toEqual(expected);
        } else {
          expect(res.status).toBeLessThan(300);
        }
        expectNoLeak(res, target, `${title} as ${role} against ${where}`);
      });
    });
  });

  it('left the other library and the other department exactly as they were', async () => {
    expect(await snapshot()).toEqual(snapshotBefore);
  });

  it('(the matrix is not vacuous: the same calls on what the caller may see succeed)', async () => {
    for (const key of [
      'GET /api/v1/conversations/{id}',
      'GET /api/v1/attachments/{id}',
      'GET /api/v1/readers/{id}',
      'GET /api/v1/inboxes/{id}/unprocessed-mail/{mailId}',
      'GET /api/v1/inboxes/{id}/unprocessed-mail/{mailId}/raw',
      'POST /api/v1/conversations/{id}/canned-replies/{replyId}/render',
      'POST /api/v1/mentions/{id}/read',
    ]) {
      const res = await call(key, OPERATIONS[key].cases[0], home, callers.agent);
      expect({ key, status: res.status }).toEqual({ key, status: 200 });
    }
    const res = await desk.http.get(`/api/v1/conversations/${randomUUID()}`).set(callers.agent);
    expect(res.status).toBe(404);
  });
});
