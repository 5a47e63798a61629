import type { CapacityChannel } from '@readerdesk/contracts';
import type { Channel, Priority, RequiredSkills } from '@readerdesk/conversations';
import type { Capacity, Skills } from '@readerdesk/staff';
import type { OfferPolicy } from './offer-settings.entity';

/** Web-form (API channel) conversations are answered like mail and count against the email capacity. */
export function capacityChannelOf(channel: Channel): CapacityChannel {
  return channel === 'api' ? 'email' : channel;
}

/** A conversation that waits for an agent: open, in a department, nobody's. */
export interface QueuedConversation {
  id: string;
  departmentId: string;
  channel: Channel;
  priority: Priority;
  /** The SLA's first-response (else next-response) due time: sooner first. */
  dueAt: number | null;
  queuedAt: number;
  requiredSkills: RequiredSkills | null;
  /** A pending `offer`-mode offer holds it: nothing to do until that ends. */
  offered: boolean;
  /** Agents holding a pending broadcast offer of it. */
  broadcastTo: ReadonlySet<string>;
  /** Agents who rejected it or let it time out lately: not offered it again for now. */
  declinedBy: ReadonlySet<string>;
}

/** An agent who may be offered work: active, available, a member of at least one department. */
export interface CandidateAgent {
  id: string;
  departmentIds: ReadonlySet<string>;
  skills: Skills;
  capacity: Capacity;
  /** Conversations held (assigned, not resolved) plus pending `offer`-mode offers, per channel. */
  load: Record<CapacityChannel, number>;
  /** Since when the agent has had nothing new: the later of becoming available and the last conversation given. */
  idleSince: number;
  /** The last offer made to them (round robin); 0 when never. */
  lastOfferedAt: number;
}

export type OfferAction =
  | { kind: 'offer'; conversationId: string; agentId: string; departmentId: string; timeoutSeconds: number }
  | { kind: 'broadcast'; conversationId: string; agentIds: string[]; departmentId: string }
  /** A channel without an offer timeout (email): the conversation is assigned at once, within capacity. */
  | { kind: 'assign'; conversationId: string; agentId: string; departmentId: string }
  | { kind: 'move'; conversationId: string; toDepartmentId: string };

const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Priority, then the SLA due time (none last), then time in the queue, then id: the order conversations are handed out. */
export function queueOrder(a: QueuedConversation, b: QueuedConversation): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) ||
    a.queuedAt - b.queuedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The conversations in queue order, lazily: a binary heap built in linear time and popped one at a
 * time, so a dispatch that fills a few places among thousands waiting pays for those few, not for a
 * full sort (which cost 4× the whole decision at 10,000 waiting). Hand-written: a heap of indices
 * over one comparator is twenty lines, and no maintained package offers lazy, allocation-free order.
 */
export function* inQueueOrder(conversations: readonly QueuedConversation[]): Generator<QueuedConversation> {
  const n = conversations.length;
  const heap = new Uint32Array(n);
  // queueOrder's keys, read once: the heap compares numbers, and the ids only on a full tie.
  const rank = new Float64Array(n);
  const due = new Float64Array(n);
  const queued = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = conversations[i];
    heap[i] = i;
    rank[i] = PRIORITY_RANK[c.priority];
    due[i] = c.dueAt ?? Infinity;
    queued[i] = c.queuedAt;
  }
  const less = (a: number, b: number) => {
    const x = heap[a];
    const y = heap[b];
    if (rank[x] !== rank[y]) return rank[x] < rank[y];
    if (due[x] !== due[y]) return due[x] < due[y];
    if (queued[x] !== queued[y]) return queued[x] < queued[y];
    return conversations[x].id < conversations[y].id;
  };
  const swap = (a: number, b: number) => {
    const t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  };
  const down = (from: number, size: number) => {
    for (let i = from; ;) {
      const left = 2 * i + 1;
      if (left >= size) return;
      const child = left + 1 < size && less(left + 1, left) ? left + 1 : left;
      if (!less(child, i)) return;
      swap(i, child);
      i = child;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i, heap.length);
  for (let size = heap.length; size > 0; size--) {
    yield conversations[heap[0]];
    swap(0, size - 1);
    down(0, size - 1);
  }
}

const primary = (tag: string) => tag.toLowerCase().split('-')[0];

/**
 * Every skill the conversation needs is the agent's: each required language by its primary subtag
 * (`es` is met by `es-MX`), each subject case-insensitively.
 */
export function hasSkills(agent: Skills, required: RequiredSkills | null): boolean {
  if (!required) return true;
  const languages = new Set(agent.languages.map(primary));
  const subjects = new Set(agent.subjects.map((s) => s.toLowerCase()));
  return (
    (required.languages ?? []).every((l) => languages.has(primary(l))) &&
    (required.subjects ?? []).every((s) => subjects.has(s.toLowerCase()))
  );
}

function byOrder(policy: OfferPolicy, channel: CapacityChannel): (a: CandidateAgent, b: CandidateAgent) => number {
  const ids = (a: CandidateAgent, b: CandidateAgent) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (policy.agentOrder) {
    case 'least_busy':
      return (a, b) =>
        a.load[channel] / a.capacity[channel] - b.load[channel] / b.capacity[channel] ||
        a.idleSince - b.idleSince ||
        ids(a, b);
    case 'round_robin':
      return (a, b) => a.lastOfferedAt - b.lastOfferedAt || ids(a, b);
    case 'longest_idle':
      return (a, b) => a.idleSince - b.idleSince || ids(a, b);
  }
}

/**
 * Decides who is offered what, in queue order (pure: the dispatcher reads the inputs under the
 * library's lock and applies the actions in the same transaction). An agent's load rises with each
 * offer and assignment planned, so nobody is planned past capacity; a conversation with a pending
 * offer is skipped, so nobody is offered it twice. Stops early once no agent has room.
 */
export function planOffers(input: {
  conversations: QueuedConversation[];
  agents: CandidateAgent[];
  policies: ReadonlyMap<string, OfferPolicy>;
  now: number;
}): OfferAction[] {
  const { agents, policies, now } = input;
  const actions: OfferAction[] = [];
  const byDepartment = new Map<string, CandidateAgent[]>();
  /** Free places per channel over all agents: a channel without any is skipped, and planning stops when none is left. */
  const free = new Map<CapacityChannel, number>();
  const hasRoom = (a: CandidateAgent, channel: CapacityChannel) => a.load[channel] < a.capacity[channel];
  // Departments with an agent who has room, per channel, at the start: loads only rise while planning, so a
  // conversation whose department (or overflow department) has none now would be skipped below anyway. Leaving
  // those out before ordering keeps the heap to what can be planned (with one free place: that agent's
  // departments' conversations, not the whole queue).
  const roomIn = new Map<CapacityChannel, Set<string>>();
  for (const agent of agents) {
    for (const d of agent.departmentIds) {
      const members = byDepartment.get(d);
      if (members) members.push(agent);
      else byDepartment.set(d, [agent]);
    }
    for (const key in agent.capacity) {
      const channel = key as CapacityChannel;
      const places = agent.capacity[channel] - agent.load[channel];
      if (places <= 0) continue;
      free.set(channel, (free.get(channel) ?? 0) + places);
      let departments = roomIn.get(channel);
      if (!departments) roomIn.set(channel, (departments = new Set()));
      for (const d of agent.departmentIds) departments.add(d);
    }
  }
  const plannable = input.conversations.filter((conversation) => {
    const policy = policies.get(conversation.departmentId);
    if (!policy || policy.mode === 'manual') return false;
    const overflowing = policy.overflow && now - conversation.queuedAt >= policy.overflow.afterSeconds * 1000;
    if (overflowing && policy.overflow!.action === 'move') return true;
    if (conversation.offered) return false;
    const departments = roomIn.get(capacityChannelOf(conversation.channel));
    if (!departments) return false;
    return (
      departments.has(conversation.departmentId) || (!!overflowing && departments.has(policy.overflow!.departmentId))
    );
  });
  for (const conversation of inQueueOrder(plannable)) {
    const policy = policies.get(conversation.departmentId);
    if (!policy || policy.mode === 'manual') continue;
    const overflowing = policy.overflow && now - conversation.queuedAt >= policy.overflow.afterSeconds * 1000;
    if (overflowing && policy.overflow!.action === 'move') {
      actions.push({ kind: 'move', conversationId: conversation.id, toDepartmentId: policy.overflow!.departmentId });
      continue;
    }
    if (conversation.offered) continue;
    const channel = capacityChannelOf(conversation.channel);
    if ((free.get(channel) ?? 0) <= 0) continue;
    const pools = overflowing
      ? [conversation.departmentId, policy.overflow!.departmentId]
      : [conversation.departmentId];
    const seen = new Set<string>();
    const eligible: CandidateAgent[] = [];
    for (const pool of pools)
      for (const agent of byDepartment.get(pool) ?? []) {
        if (seen.has(agent.id)) continue;
        seen.add(agent.id);
        if (!hasRoom(agent, channel) || conversation.declinedBy.has(agent.id)) continue;
        if (!hasSkills(agent.skills, conversation.requiredSkills)) continue;
        eligible.push(agent);
      }
    const departmentOf = (agent: CandidateAgent) =>
      agent.departmentIds.has(conversation.departmentId) ? conversation.departmentId : policy.overflow!.departmentId;
    const timeout = policy.timeouts[channel];
    if (policy.mode === 'broadcast' && timeout !== null) {
      // Everyone eligible at once; first to accept wins. Offers do not reserve capacity (accepting checks it).
      const fresh = eligible.filter((a) => !conversation.broadcastTo.has(a.id));
      for (const pool of pools) {
        const agentIds = fresh.filter((a) => departmentOf(a) === pool).map((a) => a.id);
        if (agentIds.length > 0)
          actions.push({ kind: 'broadcast', conversationId: conversation.id, agentIds, departmentId: pool });
      }
      continue;
    }
    if (eligible.length === 0) continue;
    const best = eligible.reduce((a, b) => (byOrder(policy, channel)(a, b) <= 0 ? a : b));
    best.load[channel] += 1;
    best.idleSince = now;
    best.lastOfferedAt = now;
    actions.push(
      timeout === null
        ? { kind: 'assign', conversationId: conversation.id, agentId: best.id, departmentId: departmentOf(best) }
        : {
            kind: 'offer',
            conversationId: conversation.id,
            agentId: best.id,
            departmentId: departmentOf(best),
            timeoutSeconds: timeout,
          },
    );
    free.set(channel, free.get(channel)! - 1);
    if ([...free.values()].every((places) => places <= 0)) break;
  }
  return actions;
}
