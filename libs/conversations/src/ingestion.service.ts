import { Injectable } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  isUniqueViolation,
  LibraryScope,
  newRowId,
} from '@readerdesk/platform';
import { HandleInput, HandleLookup, IdentityService, Reader, SettledIdentities } from '@readerdesk/readers';
import { AttachmentService, DroppedAttachment, InboundAttachment, StagedAttachment } from './attachment.service';
import { ChannelRegistry } from './channels/channel-registry';
import { Conversation, NO_SLA } from './conversation.entity';
import { ConversationErrors } from './conversation.errors';
import { ConversationOpened, ConversationStatusChanged, MessageAppended } from './conversation.events';
import { ConversationRepository, ongoingKey } from './conversation.repository';
import type { Channel } from './conversation-status';
import { sanitiseHtml } from './html-sanitiser';
import { Inbox } from './inbox.entity';
import { InboxRepository } from './inbox.repository';
import { decideIngestion, IngestionDecision, needsOngoing, ReaderReply } from './ingestion-decision';
import { IngestionBatchWrite, IngestionWriter } from './ingestion.writer';
import { Message } from './message.entity';
import { MessageRepository } from './message.repository';
import { ConversationRouting, RoutingDecision, RoutingHints } from './routing/routing-port';

/** What every channel hands to the desk for one inbound contact. */
export interface InboundMessage {
  inboxId: string;
  channel: Channel;
  /** The channel's own id of this contact (Message-ID, CallSid, MessageSid, client message id). */
  externalId: string;
  handles: HandleInput[];
  displayName?: string | null;
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  receivedAt?: Date;
  /** A conversation the channel already matched (email threading, a chat session). */
  conversationId?: string | null;
  /** The department a trusted channel puts a new conversation in when no routing rule matches (before the inbox's default). */
  departmentId?: string | null;
  /** What the reader chose (topic, department, language, question type): conditions of routing rules. */
  routing?: RoutingHints;
  data?: Record<string, unknown>;
  /** Files with their bytes; those over DESK_ATTACHMENT_MAX_BYTES are dropped and noted on the message. */
  attachments?: InboundAttachment[];
  /** Files the channel already had to leave out (too large to fetch, unreadable), noted the same way. */
  droppedAttachments?: DroppedAttachment[];
  /**
   * Machine mail (an auto-reply, a bounce) recorded on an existing conversation without waking it:
   * no reopening, no waiting time, no move up the queue. Needs `conversationId`; never opens one.
   */
  silent?: boolean;
}

export interface IngestResult {
  conversation: Conversation;
  message: Message;
  /** True when this external id had been stored before: nothing new was written. */
  duplicate: boolean;
  conversationCreated: boolean;
}

const ATTEMPTS = 5;
/** Contacts stored together at most, and batches written side by side (PostgreSQL; SQLite writes one at a time). */
const MAX_BATCH = 64;
const MAX_BATCHES_RUNNING = 2;

interface Pending {
  scope: LibraryScope;
  input: InboundMessage;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** A message stored under a contact's external id, with its conversation. */
interface StoredContact {
  message: Message;
  conversation: Conversation;
}

/** A contact that was written: what `publishOutcome` announces. */
interface Written {
  conversation: Conversation;
  message: Message;
  created: boolean;
  /** The change a continued conversation took; null when opened or recorded silently. */
  reply: ReaderReply | null;
  /** The timeline entry of the rule that routed a new conversation. */
  routed?: Message;
}

/** What a batch reads before it decides anything. */
interface BatchReads {
  inboxes: Map<string, Inbox>;
  /** Stored before the batch, by `messageKey`. */
  stored: Map<string, StoredContact>;
  lookup: HandleLookup;
}

/** The conversations a batch's decisions may need, one object each, so later contacts see earlier ones' changes. */
interface BatchConversations {
  byId: Map<string, Conversation>;
  /** What `latestOngoing` finds, by `ongoingKey`. */
  ongoing: Map<string, Conversation>;
}

/**
 * A contact the batch path stores exactly as `ingestOne` would: no files (staged and recorded one
 * by one) and not silent (machine mail recorded without waking its conversation).
 */
function isPlain(input: InboundMessage): boolean {
  return !input.silent && !(input.attachments?.length ?? 0) && !(input.droppedAttachments?.length ?? 0);
}

const messageKey = (inboxId: string | null, externalId: string | null): string => `${inboxId}\u0000${externalId}`;

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** A channel's time, but never in the future (a sender's clock, a hand-set date): queues sort by it. */
function arrival(input: InboundMessage, now: Date): Date {
  return input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
}

function duplicateResult({ message, conversation }: StoredContact): IngestResult {
  return { conversation, message, duplicate: true, conversationCreated: false };
}

/** A conversation opened by a reader's contact (`number` 0 until the writer numbers it). */
function newConversation(
  scope: LibraryScope,
  readerId: string,
  inbox: Inbox,
  input: InboundMessage,
  at: Date,
  number: number,
  routed: RoutingDecision | null,
): Conversation {
  return {
    id: newRowId(),
    libraryId: scope.libraryId,
    number,
    readerId,
    inboxId: inbox.id,
    channel: input.channel,
    departmentId: routed?.departmentId ?? input.departmentId ?? inbox.defaultDepartmentId,
    assigneeId: null,
    status: 'new',
    priority: routed?.priority ?? 'normal',
    subject: input.subject?.slice(0, 500) ?? null,
    tags: routed?.tags ?? [],
    snoozedUntil: null,
    readLevel: null,
    questionType: null,
    routingRuleId: routed?.ruleId ?? null,
    requiredSkills: routed?.requiredSkills ?? null,
    firstResponseAt: null,
    ...NO_SLA,
    // After NO_SLA: the policy routing chose wins over matching.
    slaPolicyId: routed?.slaPolicyId ?? null,
    waitingSince: at,
    queuedAt: at,
    resolvedAt: null,
    lastMessageAt: at,
    // When the question arrived, not when a backlog was fetched: date filters and SLA clocks read this.
    createdAt: at,
  } as unknown as Conversation;
}

function newInboundMessage(
  scope: LibraryScope,
  conversationId: string,
  inbox: Inbox,
  input: InboundMessage,
  at: Date,
  data: Record<string, unknown>,
): Message {
  return {
    id: newRowId(),
    libraryId: scope.libraryId,
    conversationId,
    inboxId: inbox.id,
    kind: 'inbound',
    externalId: input.externalId,
    authorAgentId: null,
    subject: input.subject?.slice(0, 500) ?? null,
    text: input.text ?? null,
    html: input.html ? sanitiseHtml(input.html) : null,
    rawHtml: input.html ?? null,
    deliveryStatus: null,
    data,
    createdAt: at,
  };
}

/**
 * The timeline entry "Routed to <department> by rule <name>", written with the conversation (created
 * after its first message's id, so it sorts after it at the same time).
 */
function routedEvent(scope: LibraryScope, conversation: Conversation, routed: RoutingDecision, at: Date): Message {
  const where = routed.departmentId ? `to ${routed.departmentName ?? 'another department'} ` : '';
  return {
    id: newRowId(),
    libraryId: scope.libraryId,
    conversationId: conversation.id,
    inboxId: null,
    kind: 'event',
    externalId: null,
    authorAgentId: null,
    subject: null,
    text: `Routed ${where}by rule ${routed.ruleName}`,
    html: null,
    rawHtml: null,
    deliveryStatus: null,
    data: {
      type: 'routed',
      system: 'routing',
      ruleId: routed.ruleId,
      ruleName: routed.ruleName,
      departmentId: conversation.departmentId,
      priority: conversation.priority,
      tags: conversation.tags,
      requiredSkills: conversation.requiredSkills,
      slaPolicyId: conversation.slaPolicyId,
    },
    createdAt: at,
  };
}

/**
 * The one entry point for inbound contacts: resolve the reader, find or open the conversation
 * (`decideIngestion`, with the channel's threading rules), append the message, publish events after
 * commit. Idempotent on (inbox, external id), also when the same contact arrives many times at once:
 * the unique index decides, the others find the winner.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly identity: IdentityService,
    private readonly inboxes: InboxRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly attachments: AttachmentService,
    private readonly channels: ChannelRegistry,
    private readonly writer: IngestionWriter,
    // Optional for integration specs that build the service by hand: no router, the inbox's default.
    private readonly routing?: ConversationRouting,
  ) {}

  /** The matching rule's decision for a contact that opens a conversation, or null (no router, no rule). */
  private route(
    scope: LibraryScope,
    inbox: Inbox,
    reader: Reader,
    input: InboundMessage,
    at: Date,
  ): Promise<RoutingDecision | null> {
    const router = this.routing?.current;
    if (!router) return Promise.resolve(null);
    return router.route(scope, {
      inboxId: inbox.id,
      channel: input.channel,
      subject: input.subject ?? null,
      text: input.text ?? null,
      reader: {
        id: reader.id,
        category: reader.category ?? null,
        homeBranchId: reader.homeBranchId ?? null,
        preferredLanguage: reader.preferredLanguage ?? null,
      },
      hints: { chosenDepartmentId: input.departmentId ?? null, ...input.routing },
      defaultDepartmentId: inbox.defaultDepartmentId,
      at,
    });
  }

  async ingest(scope: LibraryScope, input: InboundMessage): Promise<IngestResult> {
    if (!input.externalId?.trim())
      throw new DomainError(ConversationErrors.externalIdRequired, 'An inbound message needs the channel’s id for it');
    if (!input.text?.trim() && !input.html?.trim())
      throw new DomainError(ConversationErrors.emptyMessage, 'An inbound message needs a text or an HTML body');
    // A caller's own transaction must hold its contact: it never shares work with others.
    if (this.db.inTransaction) return this.ingestOne(scope, input);
    // The same contact delivered again while it is being stored (a webhook retried at once, a
    // mailbox fetched twice) waits for the first delivery's outcome instead of racing it to the
    // unique index, which would cost a rolled-back transaction (and a conversation number).
    const key = `${scope.libraryId}\u0000${messageKey(input.inboxId, input.externalId)}`;
    const first = this.inFlight.get(key);
    if (first) {
      return first.then(
        (result) => ({ ...result, duplicate: true, conversationCreated: false }),
        () => this.ingest(scope, input),
      );
    }
    const storing = isPlain(input)
      ? new Promise<IngestResult>((resolve, reject) => {
          // Stored with the contacts that arrive meanwhile, by the next batch.
          this.waiting.push({ scope, input, resolve, reject });
          this.drain();
        })
      : this.ingestOne(scope, input);
    this.inFlight.set(key, storing);
    const done = () => {
      if (this.inFlight.get(key) === storing) this.inFlight.delete(key);
    };
    storing.then(done, done);
    return storing;
  }

  /** Contacts being stored now, by library, inbox and external id. */
  private readonly inFlight = new Map<string, Promise<IngestResult>>();

  /** Contacts waiting for the next batch, and how many batches are being written now. */
  private readonly waiting: Pending[] = [];
  private batchesRunning = 0;

  /**
   * Group commit: plain contacts (no attachments, not silent) that arrive while a batch is being
   * written wait for the next one, which stores all of them with one multi-row statement per table
   * in one transaction instead of a dozen statements each. With one contact at a time nothing
   * waits. A batch that fails for any reason (a unique violation from another process, a value the
   * database refuses) is rolled back whole and its contacts take the one-by-one path, which has
   * every answer to those cases.
   */
  private drain(): void {
    // Not at once: contacts that arrive in the same turn of the event loop (webhooks parsed
    // together, callers the last batch answered, who come straight back) go into one batch
    // instead of the first of them taking a free slot alone.
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.startBatches();
    });
  }

  private drainScheduled = false;

  private startBatches(): void {
    const limit = this.db.dialect === 'sqlite' ? 1 : MAX_BATCHES_RUNNING;
    while (this.waiting.length > 0 && this.batchesRunning < limit) {
      // Shared out over the free slots, so that two half batches overlap (one computing while the
      // other waits for its commit) instead of one full batch leaving the other slot idle.
      const size = Math.min(MAX_BATCH, Math.ceil(this.waiting.length / (limit - this.batchesRunning)));
      const batch = this.waiting.splice(0, size);
      this.batchesRunning += 1;
      void this.runBatch(batch).finally(() => {
        this.batchesRunning -= 1;
        this.drain();
      });
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const libraries = new Map<string, Pending[]>();
    for (const item of batch) {
      libraries.set(item.scope.libraryId, [...(libraries.get(item.scope.libraryId) ?? []), item]);
    }
    for (const items of libraries.values()) {
      const inputs = items.map((item) => item.input);
      let results: Array<IngestResult | null>;
      try {
        // SQLite has one connection: a read outside the batch's transaction could see another
        // transaction's uncommitted rows, so there the whole batch runs in its transaction (the
        // writer's joins it).
        results =
          this.db.dialect === 'sqlite'
            ? await this.db.transaction(() => this.appendBatch(items[0].scope, inputs))
            : await this.appendBatch(items[0].scope, inputs);
      } catch {
        results = items.map(() => null);
      }
      await Promise.all(
        items.map(async (item, i) => {
          try {
            item.resolve(results[i] ?? (await this.ingestOne(item.scope, item.input)));
          } catch (error) {
            item.reject(error);
          }
        }),
      );
    }
  }

  /**
   * Stores a batch of plain contacts of one library; null for a contact it leaves to `ingestOne`
   * (an unknown inbox, a reader `settleMany` cannot settle alone). Same outcome as storing them one
   * after the other in arrival order: a second contact of the same reader continues the conversation
   * the first opened, a repeated external id comes back as a duplicate.
   */
  private async appendBatch(scope: LibraryScope, inputs: InboundMessage[]): Promise<Array<IngestResult | null>> {
    // On PostgreSQL the reads run before the writer's transaction, side by side on pool connections:
    // under read committed a read inside it would see no more, and take no lock either. What changes
    // meanwhile (the same handle or external id stored by another batch or process) makes a write
    // fail on a unique index, and the batch goes one by one.
    const reads = await this.readBatch(scope, inputs);
    const identities = this.identity.settleMany(
      reads.lookup,
      inputs,
      (i) =>
        reads.inboxes.has(inputs[i].inboxId) && !reads.stored.has(messageKey(inputs[i].inboxId, inputs[i].externalId)),
    );
    const known = await this.readBatchConversations(scope, inputs, identities);
    const routes = await this.routeBatch(scope, inputs, reads, identities);
    const { results, write, written } = this.planBatch(scope, inputs, reads, identities, known, routes);
    if (write.messages.length > 0) {
      await this.writer.write(scope, write, () => written.forEach((w) => this.publishOutcome(scope, w)));
    }
    return results;
  }

  /** The inboxes, the messages already stored under the batch's external ids, every handle with its reader. */
  private async readBatch(scope: LibraryScope, inputs: InboundMessage[]): Promise<BatchReads> {
    const inboxIds = unique(inputs.map((input) => input.inboxId));
    const [inboxes, messages, lookup] = await Promise.all([
      this.inboxes.findByIds(scope, inboxIds),
      this.messages.findByExternalIds(
        scope,
        inboxIds,
        inputs.map((input) => input.externalId),
      ),
      this.identity.lookupMany(scope, inputs),
    ]);
    const conversations =
      messages.length > 0
        ? await this.conversations.findByIds(
            scope,
            messages.map((m) => m.conversationId),
          )
        : [];
    const byId = new Map(conversations.map((c) => [c.id, c]));
    const stored = new Map<string, StoredContact>();
    for (const message of messages) {
      const conversation = byId.get(message.conversationId);
      if (conversation) stored.set(messageKey(message.inboxId, message.externalId), { message, conversation });
    }
    return { inboxes: new Map(inboxes.map((inbox) => [inbox.id, inbox])), stored, lookup };
  }

  /**
   * Routing decisions for the contacts of a batch that may open a conversation (which ones do is
   * decided later, in memory): a contact that continues one wastes a match against cached rules.
   */
  private async routeBatch(
    scope: LibraryScope,
    inputs: InboundMessage[],
    reads: BatchReads,
    identities: SettledIdentities,
  ): Promise<Array<RoutingDecision | null>> {
    if (!this.routing?.current) return inputs.map(() => null);
    const now = this.clock.now();
    return Promise.all(
      inputs.map((input, i) => {
        const inbox = reads.inboxes.get(input.inboxId);
        const settled = identities.readers[i];
        if (!inbox || !settled || reads.stored.has(messageKey(input.inboxId, input.externalId))) {
          return Promise.resolve(null);
        }
        return this.route(scope, inbox, settled.reader, input, arrival(input, now));
      }),
    );
  }

  /** The conversations the channels named, and the ongoing ones of the readers whose channel continues them. */
  private async readBatchConversations(
    scope: LibraryScope,
    inputs: InboundMessage[],
    identities: SettledIdentities,
  ): Promise<BatchConversations> {
    const named = new Set<string>();
    const readers = new Set<string>();
    const inboxIds = new Set<string>();
    inputs.forEach((input, i) => {
      const settled = identities.readers[i];
      if (!settled) return;
      if (input.conversationId) named.add(input.conversationId);
      // A reader met for the first time has no conversation to continue.
      if (!settled.created && needsOngoing(input, this.channels.threadingOf(input.channel))) {
        readers.add(settled.reader.id);
        inboxIds.add(input.inboxId);
      }
    });
    const [ongoing, namedRows] = await Promise.all([
      this.conversations.latestOngoingOfMany(scope, [...readers], [...inboxIds]),
      this.conversations.findByIds(scope, [...named]),
    ]);
    const byId = new Map([...ongoing.values()].map((c) => [c.id, c]));
    for (const c of namedRows) if (!byId.has(c.id)) byId.set(c.id, c);
    return { byId, ongoing };
  }

  /**
   * Decides every contact of a batch in arrival order, in memory: what the writer stores, what each
   * caller gets back, and the events.
   */
  private planBatch(
    scope: LibraryScope,
    inputs: InboundMessage[],
    reads: BatchReads,
    identities: SettledIdentities,
    known: BatchConversations,
    routes: Array<RoutingDecision | null>,
  ): { results: Array<IngestResult | null>; write: IngestionBatchWrite; written: Written[] } {
    const now = this.clock.now();
    const results: Array<IngestResult | null> = inputs.map(() => null);
    const write: IngestionBatchWrite = { identities, opened: [], opensFirst: [], continued: [], messages: [] };
    // Nobody else can have opened a conversation for a reader this batch creates.
    const newReaders = new Set(identities.newReaders.map((r) => r.id));
    const continued = new Map<string, Partial<Conversation>>();
    const planned = new Map<string, StoredContact>();
    const written: Written[] = [];
    inputs.forEach((input, i) => {
      const key = messageKey(input.inboxId, input.externalId);
      const before = reads.stored.get(key);
      // Stored before the batch: answered without a reader (none was settled for it).
      if (before) return (results[i] = duplicateResult(before));
      const inbox = reads.inboxes.get(input.inboxId);
      const readerId = identities.readers[i]?.reader.id;
      // An unknown inbox (404) or a reader that needs `resolve`: left to `ingestOne`.
      if (!inbox || !readerId) return;
      const at = arrival(input, now);
      const threading = this.channels.threadingOf(input.channel);
      const decision = decideIngestion({
        contact: { readerId, conversationId: input.conversationId, at },
        threading,
        stored: planned.get(key)?.message ?? null,
        named: input.conversationId ? (known.byId.get(input.conversationId) ?? null) : null,
        ongoing: known.ongoing.get(ongoingKey(readerId, inbox.id)) ?? null,
      });
      if (decision.outcome === 'duplicate') return (results[i] = duplicateResult(planned.get(key)!));
      // Read before the transaction: the writer checks under the lock that nobody opened one since.
      if (decision.outcome === 'open' && needsOngoing(input, threading) && !newReaders.has(readerId)) {
        write.opensFirst.push({ readerId, inboxId: inbox.id });
      }
      const routed = decision.outcome === 'open' ? routes[i] : null;
      const conversation = this.plan(scope, decision, { readerId, inbox, input, at, routed }, write, continued, known);
      if (!conversation) return;
      const message = newInboundMessage(scope, conversation.id, inbox, input, at, input.data ?? {});
      write.messages.push(message);
      const event = routed ? routedEvent(scope, conversation, routed, at) : undefined;
      if (event) write.messages.push(event);
      planned.set(key, { message, conversation });
      const created = decision.outcome === 'open';
      written.push({
        conversation,
        message,
        created,
        reply: decision.outcome === 'continue' ? decision.reply : null,
        routed: event,
      });
      results[i] = { conversation, message, duplicate: false, conversationCreated: created };
    });
    write.continued = [...continued].map(([id, changes]) => ({ id, changes }));
    return { results, write, written };
  }

  /**
   * One decision of a batch applied in memory: the conversation the message joins (opened or
   * changed here), or null for what only `ingestOne` answers (silent mail never comes in a batch).
   */
  private plan(
    scope: LibraryScope,
    decision: Exclude<IngestionDecision, { outcome: 'duplicate' }>,
    contact: { readerId: string; inbox: Inbox; input: InboundMessage; at: Date; routed: RoutingDecision | null },
    write: IngestionBatchWrite,
    continued: Map<string, Partial<Conversation>>,
    known: BatchConversations,
  ): Conversation | null {
    let conversation: Conversation;
    if (decision.outcome === 'open') {
      conversation = newConversation(
        scope,
        contact.readerId,
        contact.inbox,
        contact.input,
        contact.at,
        0,
        contact.routed,
      );
      write.opened.push(conversation);
      known.byId.set(conversation.id, conversation);
    } else if (decision.outcome === 'continue') {
      conversation = decision.conversation;
      Object.assign(conversation, decision.reply.changes);
      if (!write.opened.includes(conversation)) {
        continued.set(conversation.id, { ...continued.get(conversation.id), ...decision.reply.changes });
      }
    } else {
      return null;
    }
    // It now has the reader's latest message: what `latestOngoing` would find next.
    const key = ongoingKey(conversation.readerId, conversation.inboxId);
    const latest = known.ongoing.get(key);
    if (!latest || latest.lastMessageAt <= conversation.lastMessageAt) known.ongoing.set(key, conversation);
    return conversation;
  }

  private async ingestOne(scope: LibraryScope, input: InboundMessage): Promise<IngestResult> {
    const inbox = await this.inboxes.getById(scope, input.inboxId);
    // Before the reader is resolved and files staged: a repeat costs two reads.
    const known = await this.stored(scope, input);
    if (known) return duplicateResult(known);
    const { reader } = await this.identity.resolveReader(scope, {
      handles: input.handles,
      displayName: input.displayName,
    });
    const { staged, dropped } = await this.attachments.stageInbound(scope, input.attachments ?? []);
    dropped.push(...(input.droppedAttachments ?? []));
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          // The first attempt follows the check above; a retry (another process stored it or took a number
          // meanwhile) reads again, so that its decision sees the winner.
          const result = await this.db.transaction(() =>
            this.append(scope, inbox, reader, input, staged, dropped, attempt > 1),
          );
          if (result.duplicate) await this.attachments.discard(staged);
          return result;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= ATTEMPTS) throw error;
        }
      }
    } catch (error) {
      await this.attachments.discard(staged);
      throw error;
    }
  }

  private async stored(scope: LibraryScope, input: InboundMessage): Promise<StoredContact | null> {
    const message = await this.messages.findByExternalId(scope, input.inboxId, input.externalId);
    return message ? { message, conversation: await this.conversations.getById(scope, message.conversationId) } : null;
  }

  /** One contact in the caller's transaction: read what the decision needs, decide, write. */
  private async append(
    scope: LibraryScope,
    inbox: Inbox,
    reader: Reader,
    input: InboundMessage,
    staged: StagedAttachment[],
    dropped: DroppedAttachment[],
    recheckStored: boolean,
  ): Promise<IngestResult> {
    const readerId = reader.id;
    const contact = {
      readerId,
      conversationId: input.conversationId,
      silent: input.silent,
      at: arrival(input, this.clock.now()),
    };
    const threading = this.channels.threadingOf(input.channel);
    const stored = recheckStored ? await this.stored(scope, input) : null;
    const decision = decideIngestion({
      contact,
      threading,
      stored: stored?.message ?? null,
      named: input.conversationId ? await this.conversations.findById(scope, input.conversationId) : null,
      ongoing: needsOngoing(contact, threading) ? await this.ongoing(scope, readerId, inbox.id) : null,
    });
    let conversation: Conversation;
    let reply: ReaderReply | null = null;
    let routed: RoutingDecision | null = null;
    switch (decision.outcome) {
      case 'duplicate':
        return duplicateResult(stored!);
      case 'refuse':
        throw new DomainError(
          ConversationErrors.noConversation,
          'A silent message needs the conversation it belongs to',
        );
      case 'record':
        // Recorded for the record only: the conversation's state is the staff's and the reader's business.
        conversation = decision.conversation;
        break;
      case 'open':
        routed = await this.route(scope, inbox, reader, input, contact.at);
        [conversation] = await this.conversations.insert(
          scope,
          newConversation(
            scope,
            readerId,
            inbox,
            input,
            contact.at,
            await this.conversations.allocateNumbers(scope),
            routed,
          ),
        );
        break;
      case 'continue':
        ({ conversation, reply } = decision);
        await this.conversations.update(scope, conversation.id, reply.changes);
        Object.assign(conversation, reply.changes);
        break;
    }
    const data = dropped.length > 0 ? { ...input.data, droppedAttachments: dropped } : (input.data ?? {});
    const [message] = await this.messages.insert(
      scope,
      newInboundMessage(scope, conversation.id, inbox, input, contact.at, data),
    );
    await this.attachments.record(scope, staged, conversation.id, message.id);
    const [event] = routed
      ? await this.messages.insert(scope, routedEvent(scope, conversation, routed, contact.at))
      : [undefined];
    const created = decision.outcome === 'open';
    this.publishOutcome(scope, { conversation, message, created, reply, routed: event });
    return { conversation, message, duplicate: false, conversationCreated: created };
  }

  /**
   * The reader's ongoing conversation, in the caller's transaction; when there is none, read again
   * under the (inbox, reader) lock, which the transaction then holds until its commit: of two first
   * contacts of one reader, in this process or another, the second waits and continues what the
   * first opened instead of opening a second conversation.
   */
  private async ongoing(scope: LibraryScope, readerId: string, inboxId: string): Promise<Conversation | null> {
    const found = await this.conversations.latestOngoing(scope, readerId, inboxId);
    if (found || this.db.dialect !== 'postgres') return found;
    await this.conversations.lockOngoing([{ readerId, inboxId }]);
    return this.conversations.latestOngoing(scope, readerId, inboxId);
  }

  /** The events of a written contact, for both paths (published in the transaction: delivered after its commit). */
  private publishOutcome(scope: LibraryScope, { conversation, message, created, reply, routed }: Written): void {
    const base = {
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      departmentId: conversation.departmentId,
    };
    if (reply && reply.to !== reply.from) {
      this.events.publish(ConversationStatusChanged, { ...base, from: reply.from, to: reply.to, actorAgentId: null });
    }
    if (created) {
      this.events.publish(ConversationOpened, {
        ...base,
        readerId: conversation.readerId,
        channel: conversation.channel,
      });
    }
    this.events.publish(MessageAppended, {
      ...base,
      messageId: message.id,
      kind: 'inbound',
      authorAgentId: null,
      ...(created ? { opensConversation: true } : {}),
    });
    if (routed)
      this.events.publish(MessageAppended, { ...base, messageId: routed.id, kind: 'event', authorAgentId: null });
  }
}
