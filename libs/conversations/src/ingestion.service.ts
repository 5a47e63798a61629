import { Injectable } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  isUniqueViolation,
  LibraryScope,
  newRowId,
  SqlStatement,
} from '@readerdesk/platform';
import { HandleInput, IdentityService } from '@readerdesk/readers';
import { In } from 'typeorm';
import { AttachmentService, DroppedAttachment, InboundAttachment, StagedAttachment } from './attachment.service';
import { Conversation } from './conversation.entity';
import { ConversationOpened, ConversationStatusChanged, MessageAppended } from './conversation.events';
import { ConversationRepository } from './conversation.repository';
import { afterReaderReply, type Channel, type ConversationStatus } from './conversation-status';
import { sanitiseHtml } from './html-sanitiser';
import { Inbox } from './inbox.entity';
import { InboxRepository } from './inbox.repository';
import { Message } from './message.entity';
import { MessageRepository } from './message.repository';

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
  departmentId?: string | null;
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
/** What `ConversationRepository.latestOngoing` calls still going. */
const ONGOING: ConversationStatus[] = ['new', 'open', 'pending', 'snoozed', 'resolved'];

interface Pending {
  scope: LibraryScope;
  input: InboundMessage;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/**
 * A contact the batch path stores exactly as `ingestOne` would: no files (staged and recorded one
 * by one) and not silent (machine mail recorded without waking its conversation).
 */
function isPlain(input: InboundMessage): boolean {
  return !input.silent && !(input.attachments?.length ?? 0) && !(input.droppedAttachments?.length ?? 0);
}

/** A conversation opened by a reader's contact (`number` 0 until the batch numbers it). */
function newConversation(
  scope: LibraryScope,
  readerId: string,
  inbox: Inbox,
  input: InboundMessage,
  at: Date,
  number: number,
): Conversation {
  return {
    id: newRowId(),
    libraryId: scope.libraryId,
    number,
    readerId,
    inboxId: inbox.id,
    channel: input.channel,
    departmentId: input.departmentId ?? inbox.defaultDepartmentId,
    assigneeId: null,
    status: 'new',
    priority: 'normal',
    subject: input.subject?.slice(0, 500) ?? null,
    tags: [],
    snoozedUntil: null,
    readLevel: null,
    questionType: null,
    firstResponseAt: null,
    waitingSince: at,
    resolvedAt: null,
    lastMessageAt: at,
    // When the question arrived, not when a backlog was fetched: date filters and SLA clocks read this.
    createdAt: at,
  } as unknown as Conversation;
}

/** What a reader's new message does to the conversation it continues. */
function readerReply(conversation: Conversation, at: Date) {
  const from = conversation.status;
  const to = afterReaderReply(from) ?? from;
  const changes = {
    status: to,
    waitingSince: conversation.waitingSince ?? at,
    lastMessageAt: at,
    snoozedUntil: to === 'open' ? null : conversation.snoozedUntil,
  };
  return { from, to, changes };
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
 * The one entry point for inbound contacts: resolve the reader, find or open the conversation,
 * append the message, publish events after commit. Idempotent on (inbox, external id), also when
 * the same contact arrives many times at once: the unique index decides, the others find the winner.
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
  ) {}

  async ingest(scope: LibraryScope, input: InboundMessage): Promise<IngestResult> {
    if (!input.externalId?.trim())
      throw new DomainError('external_id_required', 'An inbound message needs the channel’s id for it', 400);
    if (!input.text?.trim() && !input.html?.trim())
      throw new DomainError('empty_message', 'An inbound message needs a text or an HTML body', 400);
    // A caller's own transaction must hold its contact: it never shares work with others.
    if (this.db.inTransaction) return this.ingestOne(scope, input);
    // The same contact delivered again while it is being stored (a webhook retried at once, a
    // mailbox fetched twice) waits for the first delivery's outcome instead of racing it to the
    // unique index, which would cost a rolled-back transaction (and a conversation number).
    const key = `${scope.libraryId}\u0000${input.inboxId}\u0000${input.externalId}`;
    const first = this.inFlight.get(key);
    if (first) {
      return first.then(
        (result) => ({ ...result, duplicate: true, conversationCreated: false }),
        () => this.ingest(scope, input),
      );
    }
    const storing = isPlain(input)
      ? new Promise<IngestResult>((resolve, reject) => {
          // A batch runs in a transaction of its own.
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
   * Group commit: plain contacts (no attachments, not silent)
   * that arrive while a batch is being written wait for the next one, which stores all of them with
   * a handful of set-based statements in one transaction instead of a dozen statements each. With
   * one contact at a time nothing waits. A batch that fails for any reason (a unique violation from
   * a concurrent duplicate or another process, a value the database refuses) is rolled back whole
   * and its contacts take the one-by-one path, which has every answer to those cases.
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
      let results: Array<IngestResult | null>;
      try {
        // SQLite has one connection: a read outside the batch's transaction could see another
        // transaction's uncommitted rows, so there the whole batch runs in its transaction (the
        // inner one joins it).
        results =
          this.db.dialect === 'sqlite'
            ? await this.db.transaction(() => this.appendBatch(items[0].scope, items))
            : await this.appendBatch(items[0].scope, items);
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
   * (an unknown inbox, a reader `resolveMany` cannot settle alone). Same outcome as storing them one
   * after the other in arrival order: a second contact of the same reader continues the conversation
   * the first opened, a repeated external id comes back as a duplicate.
   */
  private async appendBatch(scope: LibraryScope, items: Pending[]): Promise<Array<IngestResult | null>> {
    const results: Array<IngestResult | null> = items.map(() => null);
    const inboxIds = [...new Set(items.map((item) => item.input.inboxId))];
    const messageKey = (inboxId: string | null, externalId: string | null) => `${inboxId}\u0000${externalId}`;
    // Writes that need nothing from each other, and events, for the transaction at the end.
    const deferred = { writes: [] as SqlStatement[], after: [] as Array<() => void> };

    // On PostgreSQL the reads run before the transaction, side by side on pool connections: under read committed a
    // read inside it would see no more, and take no lock either. What changes meanwhile (the same
    // handle or external id stored by another batch or process) makes a write fail on a unique
    // index, and the batch goes one by one.
    const contacts = items.map((item) => ({ handles: item.input.handles, displayName: item.input.displayName }));
    const [inboxRows, stored, lookup] = await Promise.all([
      this.inboxes.find(scope, { id: In(inboxIds) }),
      // Already stored, or earlier in this batch: duplicates.
      this.messages.find(scope, {
        inboxId: In(inboxIds),
        externalId: In([...new Set(items.map((item) => item.input.externalId))]),
      }),
      this.identity.lookupMany(scope, contacts),
    ]);
    const inboxes = new Map(inboxRows.map((i) => [i.id, i]));
    const storedConversations = new Map(
      (stored.length > 0
        ? await this.conversations.find(scope, { id: In([...new Set(stored.map((m) => m.conversationId))]) })
        : []
      ).map((c) => [c.id, c]),
    );
    const seen = new Map<string, number>();
    const fresh: number[] = [];
    items.forEach((item, i) => {
      const key = messageKey(item.input.inboxId, item.input.externalId);
      const old = stored.find((m) => messageKey(m.inboxId, m.externalId) === key);
      const conversation = old ? storedConversations.get(old.conversationId) : undefined;
      if (old && conversation) {
        results[i] = { conversation, message: old, duplicate: true, conversationCreated: false };
      } else if (!old && inboxes.has(item.input.inboxId) && !seen.has(key)) {
        seen.set(key, i);
        fresh.push(i);
      }
    });

    const isFresh = new Set(fresh);
    const readers = this.identity.settleMany(scope, lookup, contacts, (i) => isFresh.has(i), deferred);
    const ready = fresh.filter((i) => readers[i] !== null);
    const readerOf = new Map(fresh.map((i) => [i, readers[i]]));

    // The reader's ongoing conversation in the inbox (what `latestOngoing` finds), for readers the desk knew.
    // Email never continues a conversation this way: only through its headers (the channel's hint).
    const knownReaders = [
      ...new Set(
        ready
          .filter((i) => !readerOf.get(i)!.created && items[i].input.channel !== 'email')
          .map((i) => readerOf.get(i)!.reader.id),
      ),
    ];
    // Conversations the channels named (email threading, a chat session), read beside those.
    const hinted = [...new Set(ready.map((i) => items[i].input.conversationId).filter((id): id is string => !!id))];
    const [ongoingRows, hintedRows] = await Promise.all([
      knownReaders.length > 0
        ? this.conversations.find(
            scope,
            { readerId: In(knownReaders), inboxId: In(inboxIds), status: In(ONGOING) },
            { lastMessageAt: 'DESC' },
          )
        : [],
      hinted.length > 0 ? this.conversations.find(scope, { id: In(hinted) }) : [],
    ]);
    const ongoing = new Map<string, Conversation>();
    // Every conversation the batch touches, one object each, so that later contacts see earlier ones' changes.
    const byId = new Map<string, Conversation>();
    for (const c of ongoingRows) {
      const key = `${c.readerId}\u0000${c.inboxId}`;
      if (!ongoing.has(key)) ongoing.set(key, c);
      byId.set(c.id, c);
    }
    for (const c of hintedRows) if (!byId.has(c.id)) byId.set(c.id, c);

    const now = this.clock.now();
    const opened: Conversation[] = [];
    const changed = new Map<string, { conversation: Conversation; changes: Partial<Conversation> }>();
    const newMessages: Message[] = [];
    for (const i of ready) {
      const { input } = items[i];
      const inbox = inboxes.get(input.inboxId)!;
      const readerId = readerOf.get(i)!.reader.id;
      const at = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
      const key = `${readerId}\u0000${inbox.id}`;
      // As `ingestOne` decides: the named conversation if it may take the message, else (without a name,
      // outside email) the reader's ongoing one, else a new one.
      let conversation: Conversation | undefined;
      if (input.conversationId) {
        const named = byId.get(input.conversationId);
        if (named && (named.readerId === readerId || input.channel === 'email') && afterReaderReply(named.status)) {
          conversation = named;
        }
      } else if (input.channel !== 'email') {
        conversation = ongoing.get(key);
      }
      let created = false;
      if (!conversation) {
        conversation = newConversation(scope, readerId, inbox, input, at, 0);
        if (input.channel !== 'email') ongoing.set(key, conversation);
        byId.set(conversation.id, conversation);
        opened.push(conversation);
        created = true;
      } else {
        const { from, to, changes } = readerReply(conversation, at);
        Object.assign(conversation, changes);
        if (!opened.includes(conversation)) {
          const entry = changed.get(conversation.id) ?? { conversation, changes: {} };
          Object.assign(entry.changes, changes);
          changed.set(conversation.id, entry);
        }
        if (to !== from) {
          const event = {
            libraryId: scope.libraryId,
            conversationId: conversation.id,
            departmentId: conversation.departmentId,
            from,
            to,
            actorAgentId: null,
          };
          deferred.after.push(() => this.events.publish(ConversationStatusChanged, event));
        }
      }
      const message = newInboundMessage(scope, conversation.id, inbox, input, at, input.data ?? {});
      newMessages.push(message);
      const snapshot = conversation;
      const base = { libraryId: scope.libraryId, conversationId: snapshot.id };
      if (created) {
        deferred.after.push(() =>
          this.events.publish(ConversationOpened, {
            ...base,
            readerId,
            departmentId: snapshot.departmentId,
            channel: snapshot.channel,
          }),
        );
      }
      deferred.after.push(() =>
        this.events.publish(MessageAppended, {
          ...base,
          messageId: message.id,
          kind: 'inbound',
          departmentId: snapshot.departmentId,
        }),
      );
      results[i] = { conversation, message, duplicate: false, conversationCreated: created };
    }

    const writes = [
      ...deferred.writes,
      ...(await this.conversations.updateManyStatements(
        scope,
        [...changed.values()].map(({ conversation, changes }) => ({ id: conversation.id, changes })),
      )),
    ];
    if (this.db.dialect === 'postgres' && (writes.length > 0 || newMessages.length > 0)) {
      // One statement, atomic by itself: a block of numbers, new readers and handles, the continued
      // conversations, the new conversations numbered from the block, the messages. No BEGIN or
      // COMMIT round trips, and a statement that fails takes its numbers back with it.
      const statements: Array<SqlStatement & { name?: string }> = [...writes];
      let select = 'SELECT 0 AS last_number';
      if (opened.length > 0) {
        statements.unshift({ name: 'numbers', ...this.conversations.numberingStatement(scope, opened.length) });
        const last = '(SELECT last_number FROM numbers)';
        statements.push(
          ...this.conversations.insertStatements(scope, opened, {
            number: (k) => `${last} - ${opened.length - 1 - k}`,
          }).statements,
        );
        select = 'SELECT last_number FROM numbers';
      }
      statements.push(...this.messages.insertStatements(scope, newMessages).statements);
      const [row] = await this.db.writeAsOne<{ last_number: number | string }>(statements, select);
      const first = Number(row.last_number) - opened.length + 1;
      opened.forEach((c, k) => (c.number = first + k));
      // Committed: the events go out now.
      for (const publish of deferred.after) publish();
    } else if (writes.length > 0 || newMessages.length > 0) {
      await this.db.transaction(async () => {
        const first = opened.length > 0 ? await this.conversations.allocateNumbers(scope, opened.length) : 0;
        opened.forEach((c, k) => (c.number = first + k));
        await this.db.writeTogether([
          ...writes,
          ...this.conversations.insertStatements(scope, opened).statements,
          ...this.messages.insertStatements(scope, newMessages).statements,
        ]);
        // Published in the batch's transaction: delivered after its commit, dropped with a rollback.
        for (const publish of deferred.after) publish();
      });
    }

    // A repeated external id within the batch gets the first one's message.
    items.forEach((item, i) => {
      const first = seen.get(messageKey(item.input.inboxId, item.input.externalId));
      const original = first === undefined || first === i ? undefined : results[first];
      if (original) results[i] = { ...original, duplicate: true, conversationCreated: false };
    });
    return results;
  }

  private async ingestOne(scope: LibraryScope, input: InboundMessage): Promise<IngestResult> {
    const inbox = await this.inboxes.getById(scope, input.inboxId);
    const known = await this.stored(scope, input);
    if (known) return known;
    const { reader } = await this.identity.resolveReader(scope, {
      handles: input.handles,
      displayName: input.displayName,
    });
    const { staged, dropped } = await this.attachments.stageInbound(scope, input.attachments ?? []);
    dropped.push(...(input.droppedAttachments ?? []));
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.db.transaction(() => this.append(scope, inbox, reader.id, input, staged, dropped));
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const winner = await this.stored(scope, input);
          if (winner) {
            await this.attachments.discard(staged);
            return winner;
          }
          if (attempt >= ATTEMPTS) throw error;
        }
      }
    } catch (error) {
      await this.attachments.discard(staged);
      throw error;
    }
  }

  private async stored(scope: LibraryScope, input: InboundMessage): Promise<IngestResult | null> {
    const message = await this.messages.findByExternalId(scope, input.inboxId, input.externalId);
    if (!message) return null;
    const conversation = await this.conversations.getById(scope, message.conversationId);
    return { conversation, message, duplicate: true, conversationCreated: false };
  }

  private async append(
    scope: LibraryScope,
    inbox: Inbox,
    readerId: string,
    input: InboundMessage,
    staged: StagedAttachment[],
    dropped: DroppedAttachment[],
  ): Promise<IngestResult> {
    // A channel's time, but never in the future (a sender's clock, a hand-set date): queues sort by it.
    const now = this.clock.now();
    const at = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
    let conversation = input.conversationId ? await this.conversations.findById(scope, input.conversationId) : null;
    if (conversation && conversation.readerId !== readerId && input.channel !== 'email') conversation = null;
    if (conversation && !input.silent && afterReaderReply(conversation.status) === null) conversation = null;
    // Chat, SMS and calls continue the reader's ongoing conversation; email threads only through its headers.
    if (!conversation && !input.conversationId && input.channel !== 'email') {
      conversation = await this.conversations.latestOngoing(scope, readerId, inbox.id);
    }
    let created = false;
    if (input.silent && !conversation) {
      throw new DomainError('no_conversation', 'A silent message needs the conversation it belongs to', 409);
    }
    if (conversation && input.silent) {
      // Recorded for the record only: the conversation's state is the staff's and the reader's business.
    } else if (!conversation) {
      const number = await this.conversations.allocateNumbers(scope);
      [conversation] = await this.conversations.insert(
        scope,
        newConversation(scope, readerId, inbox, input, at, number),
      );
      created = true;
    } else {
      const { from, to, changes } = readerReply(conversation, at);
      await this.conversations.update(scope, conversation.id, changes);
      Object.assign(conversation, changes);
      if (to !== from) {
        this.events.publish(ConversationStatusChanged, {
          libraryId: scope.libraryId,
          conversationId: conversation.id,
          departmentId: conversation.departmentId,
          from,
          to,
          actorAgentId: null,
        });
      }
    }
    const data = dropped.length > 0 ? { ...input.data, droppedAttachments: dropped } : (input.data ?? {});
    const [message] = await this.messages.insert(
      scope,
      newInboundMessage(scope, conversation.id, inbox, input, at, data),
    );
    await this.attachments.record(scope, staged, conversation.id, message.id);
    const base = { libraryId: scope.libraryId, conversationId: conversation.id };
    if (created) {
      this.events.publish(ConversationOpened, {
        ...base,
        readerId,
        departmentId: conversation.departmentId,
        channel: conversation.channel,
      });
    }
    this.events.publish(MessageAppended, {
      ...base,
      messageId: message.id,
      kind: 'inbound',
      departmentId: conversation.departmentId,
    });
    return { conversation, message, duplicate: false, conversationCreated: created };
  }
}
