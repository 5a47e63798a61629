import { Injectable } from '@nestjs/common';
import type { LibraryScope } from '@readerdesk/platform';
import type { Channel, Priority, QuestionType } from '../conversation-status';

/** What the reader chose before writing (a widget's topic menu, an IVR branch, a web form's fields). */
export interface RoutingHints {
  /** A department the reader picked; only a rule turns it into the conversation's department. */
  chosenDepartmentId?: string | null;
  topic?: string | null;
  /** BCP 47; when absent, rules read the reader's preferred language. */
  language?: string | null;
  questionType?: QuestionType | null;
}

/** A contact that opens a conversation, as routing sees it: nothing has been stored yet. */
export interface RoutingContact {
  inboxId: string;
  channel: Channel;
  subject: string | null;
  text: string | null;
  reader: { id: string; category: string | null; homeBranchId: string | null; preferredLanguage: string | null };
  hints: RoutingHints;
  /** The inbox's default department: what the conversation gets when no rule matches. */
  defaultDepartmentId: string | null;
  at: Date;
}

/** Skills an agent needs to be offered the conversation (the staff `Skills` shape); read by offers. */
export interface RequiredSkills {
  languages?: string[];
  subjects?: string[];
}

/** What the matching rule decided: every field is optional but the rule itself. */
export interface RoutingDecision {
  ruleId: string;
  ruleName: string;
  departmentId?: string;
  /** For the timeline entry; the rule's cache holds it. */
  departmentName?: string | null;
  priority?: Priority;
  tags?: string[];
  /** An SLA policy's id (SLA policies are not built yet: stored as given). */
  slaPolicyId?: string;
  requiredSkills?: RequiredSkills;
}

/**
 * Decides where a new conversation goes before it is stored, inside ingestion's transaction (or just
 * before its batch's), because access is by department: a conversation must never be visible in the
 * inbox's default department first. Null: no rule matched, the default applies.
 */
export interface ConversationRouter {
  route(scope: LibraryScope, contact: RoutingContact): Promise<RoutingDecision | null>;
}

/**
 * The slot a routing library fills at boot (conversations cannot import it: it sits above). Empty,
 * ingestion keeps the inbox's default department.
 */
@Injectable()
export class ConversationRouting {
  private router: ConversationRouter | null = null;

  provide(router: ConversationRouter): void {
    if (this.router && this.router !== router) throw new Error('A conversation router is provided already');
    this.router = router;
  }

  get current(): ConversationRouter | null {
    return this.router;
  }
}
