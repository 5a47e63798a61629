import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { CAPACITY_CHANNELS, type CapacityChannel } from '@readerdesk/contracts';
import {
  ConversationAbandoned,
  ConversationOpened,
  ConversationService,
  ConversationStatusChanged,
  ConversationUpdated,
  type Conversation,
  systemActor,
} from '@readerdesk/conversations';
import {
  Clock,
  DatabaseService,
  DomainError,
  Environment,
  EventBus,
  JobHandler,
  libraryScope,
  LibraryScope,
  KeyedTurns,
  newRowId,
  NotFoundError,
  QueueService,
} from '@readerdesk/platform';
import { effectiveCapacity, effectiveSkills, PresenceChanged, StaffAccessChanged } from '@readerdesk/staff';
import { OfferErrors } from './offers.errors';
import { ExpireOffersJob } from './offers.jobs';
import type { Offer } from './offer.entity';
import {
  OfferAccepted,
  OfferCreated,
  OfferEnded,
  type OfferEndReason,
  type OfferFacts,
  OfferSettingsChanged,
} from './offer.events';
import {
  type CandidateAgent,
  capacityChannelOf,
  type OfferAction,
  planOffers,
  type QueuedConversation,
} from './offer-plan';
import { OfferSettingsService } from './offer-settings.service';
import type { OfferPolicy } from './offer-settings.entity';
import { OfferAgentRepository, OfferQueueRepository, OfferRepository, QUEUED_STATUSES } from './offer.repository';

/** How often the sweep looks for timed-out offers and waiting conversations nobody was offered. */
export const OFFER_SWEEP_EVERY_MS = 5_000;
/** An agent who rejected a conversation (or let it time out) is not offered it again for this long. */
export const REOFFER_AFTER_MS = 120_000;
/** Conversations considered per dispatch, in queue order. */
const QUEUE_WINDOW = 500;

type Emit = () => void;

/**
 * Hands waiting conversations to agents (#14 item 3). Every change that may matter — a conversation
 * queued, moved, assigned or closed; an agent's presence, departments or load; an offer answered or
 * due — asks for a dispatch of the library. A dispatch runs under the library's lock (an advisory
 * transaction lock on PostgreSQL, SQLite's one writer), so processes take turns: it first ends the
 * pending offers that no longer hold (timed out, agent gone, conversation taken or moved), then
 * plans (planOffers) and writes new offers and direct assignments in the same transaction. Events go
 * out after the commit; the sweep repeats the dispatch for whatever a dead process left undone.
 */
@Injectable()
export class OffersService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Offers');
  /** Per library in this process: a dispatch running, and whether another was asked for meanwhile. */
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  /**
   * Per library in this process: the tail of the transactions that take the library's lock (dispatches,
   * accepts, rejects). They run one after another anyway (the lock), so they wait for their turn here, without a
   * connection, instead of in PostgreSQL holding one: twenty agents accepting at once used to hold every
   * connection of the pool waiting for the lock, and inbound contacts got 503s for want of a connection.
   * The lock across processes stays PostgreSQL's.
   */
  private readonly turns = new KeyedTurns();
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly queue: QueueService,
    private readonly env: Environment,
    private readonly offers: OfferRepository,
    private readonly queueRows: OfferQueueRepository,
    private readonly agents: OfferAgentRepository,
    private readonly settings: OfferSettingsService,
    private readonly conversations: ConversationService,
  ) {}

  onModuleInit(): void {
    const kick = ({ libraryId }: { libraryId: string }) => void this.kick(libraryId);
    this.events.subscribe(ConversationOpened, (e) => (e.departmentId ? kick(e) : undefined));
    this.events.subscribe(ConversationUpdated, (e) =>
      e.changed.includes('departmentId') || e.changed.includes('assigneeId') || e.changed.includes('priority')
        ? kick(e)
        : undefined,
    );
    this.events.subscribe(ConversationStatusChanged, kick);
    this.events.subscribe(ConversationAbandoned, kick);
    this.events.subscribe(PresenceChanged, kick);
    this.events.subscribe(StaffAccessChanged, kick);
    this.events.subscribe(OfferSettingsChanged, kick);
  }

  /**
   * The sweep is a timer of each worker (and embedded) process, not a repeatable queue job: every 5 s is
   * too often for BullMQ's scheduler (a worker closed while it re-schedules spins in its retry loop), and
   * two processes sweeping at once is harmless (the dispatch is locked and idempotent).
   */
  onApplicationBootstrap(): void {
    if (this.env.DESK_ROLE === 'api') return;
    this.sweepTimer = setInterval(() => void this.onSweep(), OFFER_SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  @JobHandler(ExpireOffersJob)
  async onExpire(payload: { libraryId: string }): Promise<void> {
    await this.kick(payload.libraryId);
  }

  async onSweep(): Promise<void> {
    try {
      for (const libraryId of await this.offers.librariesToSweep()) await this.kick(libraryId);
    } catch (error) {
      // The database away: the next tick tries again.
      this.logger.warn(`offers sweep failed: ${(error as Error).message}`);
    }
  }

  /**
   * Asks for a dispatch of the library. Asks that arrive while one runs in this process are merged
   * into one more run after it (a burst of events costs two dispatches, not one each).
   */
  kick(libraryId: string): Promise<void> {
    const current = this.running.get(libraryId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          try {
            await this.dispatch(libraryScope(libraryId));
          } catch (error) {
            // The sweep tries again; an outage of the database must not become an unhandled rejection.
            this.logger.warn(`dispatch of library ${libraryId} failed: ${(error as Error).message}`);
          }
        } while (state.again);
      } finally {
        this.running.delete(libraryId);
      }
    })();
    this.running.set(libraryId, state);
    return state.done;
  }

  /** A transaction under the library's lock, after this process's earlier ones for the library (see `turns`). */
  private inTurn<T>(scope: LibraryScope, work: () => Promise<T>): Promise<T> {
    // Already inside a transaction (a caller's): it holds its connection whatever happens; run in it.
    if (this.db.inTransaction) return this.db.transaction(work);
    return this.turns.run(scope.libraryId, () => this.db.transaction(work));
  }

  /** One dispatch: end what no longer holds, plan, write. Returns the actions taken (for tests and the benchmark). */
  async dispatch(scope: LibraryScope): Promise<OfferAction[]> {
    const emits: Emit[] = [];
    const timers: number[] = [];
    let moved = false;
    const actions = await this.inTurn(scope, async () => {
      await this.queueRows.lockLibrary(scope);
      const now = this.clock.now();
      const policies = await this.settings.policies(scope);
      const stillPending = await this.endStale(scope, now, policies, emits);
      // The agents first: with nobody available (a desk at night, a burst of contacts before the shift) a
      // dispatch ends without reading the queue's window, which is the costly read.
      const available = await this.agents.available(scope);
      if (available.length === 0) return [];
      const queued = await this.queueRows.queued(scope, QUEUE_WINDOW);
      if (queued.length === 0) return [];
      const ids = available.map((a) => a.agent.id);
      const [held, last, declined] = await Promise.all([
        this.queueRows.held(scope, ids),
        this.offers.lastOffers(scope, ids),
        this.offers.declinedSince(
          scope,
          queued.map((c) => c.id),
          new Date(now.getTime() - REOFFER_AFTER_MS),
        ),
      ]);
      const candidates = new Map<string, CandidateAgent>();
      for (const { agent, departmentIds } of available) {
        const previous = last.get(agent.id);
        candidates.set(agent.id, {
          id: agent.id,
          departmentIds,
          skills: effectiveSkills(agent),
          capacity: effectiveCapacity(agent),
          load: Object.fromEntries(CAPACITY_CHANNELS.map((c) => [c, 0])) as Record<CapacityChannel, number>,
          idleSince: Math.max(agent.presenceChangedAt?.getTime() ?? 0, previous?.accepted ?? 0),
          lastOfferedAt: previous?.offered ?? 0,
        });
      }
      for (const h of held) {
        const candidate = candidates.get(h.agentId);
        if (candidate) candidate.load[capacityChannelOf(h.channel as Conversation['channel'])] += h.n;
      }
      const offered = new Set<string>();
      const broadcastTo = new Map<string, Set<string>>();
      for (const offer of stillPending) {
        if (offer.mode === 'offer') {
          offered.add(offer.conversationId);
          const candidate = candidates.get(offer.agentId);
          if (candidate) candidate.load[capacityChannelOf(offer.channel)] += 1;
        } else {
          broadcastTo.set(
            offer.conversationId,
            (broadcastTo.get(offer.conversationId) ?? new Set()).add(offer.agentId),
          );
        }
      }
      const declinedBy = new Map<string, Set<string>>();
      for (const offer of declined)
        declinedBy.set(offer.conversationId, (declinedBy.get(offer.conversationId) ?? new Set()).add(offer.agentId));
      const none = new Set<string>();
      const plan = planOffers({
        conversations: queued.map((c): QueuedConversation => ({
          id: c.id,
          departmentId: c.departmentId!,
          channel: c.channel,
          priority: c.priority,
          dueAt: (c.firstResponseAt ? c.nextResponseDueAt : c.firstResponseDueAt)?.getTime() ?? null,
          queuedAt: (c.queuedAt ?? c.createdAt).getTime(),
          requiredSkills: c.requiredSkills,
          offered: offered.has(c.id),
          broadcastTo: broadcastTo.get(c.id) ?? none,
          declinedBy: declinedBy.get(c.id) ?? none,
        })),
        agents: [...candidates.values()],
        policies,
        now: now.getTime(),
      });
      if (plan.length === 0) return [];
      const byId = new Map(queued.map((c) => [c.id, c]));
      const summaries = await this.queueRows.summaries(
        scope,
        plan.filter((a) => a.kind !== 'move').map((a) => a.conversationId),
      );
      for (const action of plan) {
        const conversation = byId.get(action.conversationId)!;
        if (action.kind === 'move') {
          await this.conversations.transfer(scope, conversation.id, systemActor('offers'), action.toDepartmentId, {
            note: 'Moved by overflow: nobody could take it in time in its department',
          });
          moved = true;
          continue;
        }
        const summary = summaries.get(conversation.id);
        const agentIds = action.kind === 'broadcast' ? action.agentIds : [action.agentId];
        for (const agentId of agentIds) {
          const timeoutSeconds = action.kind === 'offer' ? action.timeoutSeconds : null;
          const offer = await this.createOffer(scope, conversation, agentId, action, now, timeoutSeconds);
          if (offer.expiresAt) timers.push(offer.expiresAt.getTime());
          const facts = factsOf(offer, conversation.readerId);
          emits.push(() =>
            this.events.publish(OfferCreated, {
              ...facts,
              offeredAt: offer.offeredAt.toISOString(),
              expiresAt: offer.expiresAt?.toISOString() ?? null,
              conversation: {
                number: conversation.number,
                subject: conversation.subject,
                priority: conversation.priority,
                departmentId: conversation.departmentId,
              },
              reader: { displayName: summary?.readerName ?? null },
            }),
          );
          if (action.kind === 'assign') {
            await this.conversations.assign(scope, conversation.id, systemActor('offers'), agentId);
            await this.offers.update(scope, offer.id, { status: 'accepted', closedAt: now });
            emits.push(() => this.publishAccepted(offer, conversation, now));
          }
        }
      }
      return plan;
    });
    for (const emit of emits) emit();
    await this.wakeAt(scope, timers);
    // A conversation moved by overflow may be offered in its new department at once.
    if (moved) void this.kick(scope.libraryId);
    return actions;
  }

  /**
   * The agent takes the offered conversation: it is assigned to them (after moving it to the
   * offer's department when the offer came through overflow) and every other offer of it ends.
   * 409: the offer is another agent's, or ended (timed out, taken by someone else…, `reason`), or the
   * agent holds their capacity already. 404: no such offer in the library.
   */
  async accept(scope: LibraryScope, offerId: string, agentId: string): Promise<Offer> {
    return this.answer(scope, offerId, agentId, async (offer, conversation, now, emits) => {
      const channel = capacityChannelOf(offer.channel);
      const [agent] = await this.agents.byIds(scope, [agentId]);
      const held = (await this.queueRows.held(scope, [agentId]))
        .filter((h) => capacityChannelOf(h.channel as Conversation['channel']) === channel)
        .reduce((n, h) => n + h.n, 0);
      if (!agent || held >= effectiveCapacity(agent.agent)[channel])
        throw new DomainError(
          OfferErrors.offerOverCapacity,
          `You hold ${held} ${channel} conversation(s), your capacity; finish one first`,
        );
      if (conversation.departmentId !== offer.departmentId)
        await this.conversations.transfer(scope, conversation.id, systemActor('offers'), offer.departmentId);
      await this.conversations.assign(scope, conversation.id, systemActor('offers'), agentId);
      await this.offers.update(scope, offer.id, { status: 'accepted', closedAt: now });
      emits.push(() => this.publishAccepted(offer, conversation, now));
      for (const other of await this.offers.find(scope, { conversationId: offer.conversationId, status: 'pending' }))
        if (other.id !== offer.id) await this.end(scope, other, conversation.readerId, 'taken_elsewhere', now, emits);
    });
  }

  /** The agent declines: the offer ends and the conversation goes to the next eligible agent. */
  async reject(scope: LibraryScope, offerId: string, agentId: string): Promise<Offer> {
    const offer = await this.answer(scope, offerId, agentId, (answered, conversation, now, emits) =>
      this.end(scope, answered, conversation.readerId, 'rejected', now, emits),
    );
    void this.kick(scope.libraryId);
    return offer;
  }

  /**
   * An agent's answer, under the library's lock: the offer must be theirs and pending, and still hold
   * (an offer found stale is ended and committed, then answered with 409); `work` runs in the same
   * transaction and its events go out after the commit.
   */
  private async answer(
    scope: LibraryScope,
    offerId: string,
    agentId: string,
    work: (offer: Offer, conversation: Conversation, now: Date, emits: Emit[]) => Promise<void>,
  ): Promise<Offer> {
    const emits: Emit[] = [];
    const outcome = await this.inTurn(scope, async () => {
      await this.queueRows.lockLibrary(scope);
      const offer = await this.answerable(scope, offerId, agentId);
      const now = this.clock.now();
      const conversation = await this.queueRows.findById(scope, offer.conversationId);
      const failure = await this.endIfStale(scope, offer, conversation, now, emits);
      if (failure) return failure;
      await work(offer, conversation!, now, emits);
      return (await this.offers.findById(scope, offer.id))!;
    });
    for (const emit of emits) emit();
    if (outcome instanceof DomainError) throw outcome;
    return outcome;
  }

  private publishAccepted(offer: Offer, conversation: Conversation, now: Date): void {
    this.events.publish(OfferAccepted, {
      ...factsOf(offer, conversation.readerId),
      acceptedAt: now.toISOString(),
      waitedMs: now.getTime() - (conversation.queuedAt ?? conversation.createdAt).getTime(),
    });
  }

  /** The caller's pending offers, oldest first. */
  mine(scope: LibraryScope, agentId: string): Promise<Offer[]> {
    return this.offers.find(scope, { agentId, status: 'pending' }, { offeredAt: 'ASC' });
  }

  /** Every offer of a conversation, oldest first (who was offered it, and what became of it). */
  ofConversation(scope: LibraryScope, conversationId: string): Promise<Offer[]> {
    return this.offers.find(scope, { conversationId }, { offeredAt: 'ASC' });
  }

  private async answerable(scope: LibraryScope, offerId: string, agentId: string): Promise<Offer> {
    const offer = await this.offers.locked(scope, offerId);
    if (!offer) throw new NotFoundError('Offer');
    if (offer.agentId !== agentId)
      throw new DomainError(OfferErrors.offerNotYours, 'This offer was made to another agent');
    if (offer.status !== 'pending')
      throw new DomainError(
        OfferErrors.offerEnded,
        offer.status === 'accepted' ? 'You accepted this offer already' : `The offer ended: ${offer.endReason}`,
        { reason: offer.status === 'accepted' ? 'accepted' : offer.endReason },
      );
    return offer;
  }

  /** Ends an offer that no longer holds and returns the 409 to answer with (committed, not rolled back). */
  private async endIfStale(
    scope: LibraryScope,
    offer: Offer,
    conversation: Conversation | null,
    now: Date,
    emits: Emit[],
  ): Promise<DomainError | null> {
    const reason = staleReason(offer, conversation, now, await this.settings.policies(scope));
    if (!reason) return null;
    await this.end(scope, offer, conversation?.readerId ?? '', reason, now, emits);
    return new DomainError(OfferErrors.offerEnded, `The offer ended: ${reason}`, { reason });
  }

  /** Ends the pending offers that no longer hold; returns the ones that still do. */
  private async endStale(
    scope: LibraryScope,
    now: Date,
    policies: ReadonlyMap<string, OfferPolicy>,
    emits: Emit[],
  ): Promise<Offer[]> {
    const pending = await this.offers.pending(scope);
    if (pending.length === 0) return [];
    const conversations = new Map(
      (await this.queueRows.findByIds(scope, [...new Set(pending.map((o) => o.conversationId))])).map((c) => [c.id, c]),
    );
    const agents = new Map(
      (await this.agents.byIds(scope, [...new Set(pending.map((o) => o.agentId))])).map((a) => [a.agent.id, a]),
    );
    const kept: Offer[] = [];
    for (const offer of pending) {
      const conversation = conversations.get(offer.conversationId) ?? null;
      const agent = agents.get(offer.agentId);
      let reason = staleReason(offer, conversation, now, policies);
      if (
        !reason &&
        (!agent ||
          !agent.agent.active ||
          agent.agent.presence !== 'available' ||
          !agent.departmentIds.has(offer.departmentId))
      )
        reason = 'agent_unavailable';
      if (reason) await this.end(scope, offer, conversation?.readerId ?? '', reason, now, emits);
      else kept.push(offer);
    }
    return kept;
  }

  private async end(
    scope: LibraryScope,
    offer: Offer,
    readerId: string,
    reason: OfferEndReason,
    now: Date,
    emits: Emit[],
  ): Promise<void> {
    await this.offers.update(scope, offer.id, { status: 'ended', endReason: reason, closedAt: now });
    const facts = factsOf(offer, readerId);
    emits.push(() => this.events.publish(OfferEnded, { ...facts, reason, endedAt: now.toISOString() }));
  }

  private async createOffer(
    scope: LibraryScope,
    conversation: Conversation,
    agentId: string,
    action: Exclude<OfferAction, { kind: 'move' }>,
    now: Date,
    timeoutSeconds: number | null,
  ): Promise<Offer> {
    const [offer] = await this.offers.insert(scope, {
      id: newRowId(),
      libraryId: scope.libraryId,
      conversationId: conversation.id,
      agentId,
      departmentId: action.departmentId,
      channel: conversation.channel,
      mode: action.kind === 'broadcast' ? 'broadcast' : 'offer',
      status: 'pending',
      endReason: null,
      offeredAt: now,
      expiresAt: timeoutSeconds === null ? null : new Date(now.getTime() + timeoutSeconds * 1000),
      closedAt: null,
    } as Offer);
    return offer;
  }

  /** One delayed job per distinct second of expiry; a lost one is the sweep's. */
  private async wakeAt(scope: LibraryScope, times: number[]): Promise<void> {
    const now = this.clock.now().getTime();
    for (const at of new Set(times.map((t) => Math.ceil(t / 1000) * 1000))) {
      try {
        await this.queue.add(
          ExpireOffersJob,
          { libraryId: scope.libraryId },
          { jobId: `offers-${scope.libraryId}-${at}`, delayMs: Math.max(0, at - now) },
        );
      } catch (error) {
        this.logger.warn(`could not add an offer timer (the sweep will end it): ${String(error)}`);
      }
    }
  }
}

function factsOf(offer: Offer, readerId: string): OfferFacts {
  return {
    libraryId: offer.libraryId,
    offerId: offer.id,
    conversationId: offer.conversationId,
    readerId,
    departmentId: offer.departmentId,
    channel: offer.channel,
    agentId: offer.agentId,
    mode: offer.mode,
  };
}

/** Why a pending offer no longer holds, as far as its conversation and its clock tell; null: it holds. */
function staleReason(
  offer: Offer,
  conversation: Conversation | null,
  now: Date,
  policies: ReadonlyMap<string, OfferPolicy>,
): OfferEndReason | null {
  if (!conversation || !(QUEUED_STATUSES as readonly string[]).includes(conversation.status))
    return 'conversation_changed';
  // Moved elsewhere since (an overflow offer stays good while its conversation waits where it overflows from).
  if (
    conversation.departmentId !== offer.departmentId &&
    policies.get(conversation.departmentId ?? '')?.overflow?.departmentId !== offer.departmentId
  )
    return 'conversation_changed';
  if (conversation.assigneeId !== null) return 'taken_elsewhere';
  if (offer.expiresAt && offer.expiresAt.getTime() <= now.getTime()) return 'timed_out';
  return null;
}
