import type { CapacityChannel } from '@readerdesk/contracts';
import { DEFAULT_CAPACITY } from '@readerdesk/staff';
import { type CandidateAgent, hasSkills, planOffers, type QueuedConversation } from './offer-plan';
import { type OfferPolicy, offerPolicyOf } from './offer-settings.entity';

const REF = 'ref';
const CIRC = 'circ';
const none = new Set<string>();
const zero = (): Record<CapacityChannel, number> => ({ voice: 0, video: 0, chat: 0, sms: 0, email: 0 });

function conversation(id: string, over: Partial<QueuedConversation> = {}): QueuedConversation {
  return {
    id,
    departmentId: REF,
    channel: 'chat',
    priority: 'normal',
    dueAt: null,
    queuedAt: 1_000,
    requiredSkills: null,
    offered: false,
    broadcastTo: none,
    declinedBy: none,
    ...over,
  };
}

function agent(id: string, over: Partial<CandidateAgent> = {}): CandidateAgent {
  return {
    id,
    departmentIds: new Set([REF]),
    skills: { languages: ['en'], subjects: [] },
    capacity: { ...DEFAULT_CAPACITY },
    load: zero(),
    idleSince: 0,
    lastOfferedAt: 0,
    ...over,
  };
}

function policies(...list: OfferPolicy[]): Map<string, OfferPolicy> {
  const map = new Map([REF, CIRC].map((d) => [d, offerPolicyOf(d, null)]));
  for (const p of list) map.set(p.departmentId, p);
  return map;
}

const plan = (conversations: QueuedConversation[], agents: CandidateAgent[], p = policies(), now = 100_000) =>
  planOffers({ conversations, agents, policies: p, now });

describe('planOffers', () => {
  it('hands out by priority, then SLA due time, then time queued', () => {
    const actions = plan(
      [
        conversation('old', { queuedAt: 1 }),
        conversation('due-soon', { dueAt: 5_000, queuedAt: 50 }),
        conversation('urgent', { priority: 'urgent', queuedAt: 90 }),
      ],
      [agent('a', { capacity: { ...DEFAULT_CAPACITY, chat: 2 } })],
    );
    expect(actions.map((a) => a.conversationId)).toEqual(['urgent', 'due-soon']);
  });

  it('offers only to members with the skills and a free place on the channel, never twice', () => {
    const actions = plan(
      [
        conversation('spanish', { requiredSkills: { languages: ['es'] } }),
        conversation('held', { offered: true }),
        conversation('sms', { channel: 'sms' }),
      ],
      [
        agent('elsewhere', { departmentIds: new Set([CIRC]), skills: { languages: ['es'], subjects: [] } }),
        agent('full', { load: { ...zero(), chat: 3 }, skills: { languages: ['es-MX'], subjects: [] } }),
        agent('speaks', { skills: { languages: ['es-MX'], subjects: [] }, capacity: { ...DEFAULT_CAPACITY, sms: 0 } }),
      ],
    );
    // "full" is full on chat only: capacity is per channel. Same priority and time: by id.
    expect(actions).toEqual([
      { kind: 'offer', conversationId: 'sms', agentId: 'full', departmentId: REF, timeoutSeconds: 120 },
      { kind: 'offer', conversationId: 'spanish', agentId: 'speaks', departmentId: REF, timeoutSeconds: 30 },
    ]);
  });

  it('counts each planned offer against capacity', () => {
    const conversations = ['1', '2', '3', '4'].map((id) => conversation(id, { queuedAt: Number(id) }));
    const a = agent('a', { capacity: { ...DEFAULT_CAPACITY, chat: 2 }, load: { ...zero(), chat: 1 } });
    const b = agent('b', { capacity: { ...DEFAULT_CAPACITY, chat: 1 } });
    const actions = plan(conversations, [a, b]);
    expect(actions.map((x) => x.kind === 'offer' && x.agentId)).toEqual(['a', 'b']);
    expect(a.load.chat).toBe(2);
    expect(b.load.chat).toBe(1);
  });

  it('orders agents by longest idle, least busy or round robin', () => {
    const agents = () => [
      agent('busy-idle-long', { idleSince: 10, load: { ...zero(), chat: 2 }, lastOfferedAt: 500 }),
      agent('free-idle-short', { idleSince: 90, lastOfferedAt: 100 }),
      agent('never-offered', { idleSince: 50, load: { ...zero(), chat: 1 }, lastOfferedAt: 0 }),
    ];
    const first = (order: OfferPolicy['agentOrder']) => {
      const actions = plan([conversation('c')], agents(), policies({ ...offerPolicyOf(REF, null), agentOrder: order }));
      return actions[0].kind === 'offer' ? actions[0].agentId : null;
    };
    expect(first('longest_idle')).toBe('busy-idle-long');
    expect(first('least_busy')).toBe('free-idle-short');
    expect(first('round_robin')).toBe('never-offered');
  });

  it('skips agents who declined lately, and manual departments', () => {
    const declined = plan(
      [conversation('c', { declinedBy: new Set(['a']) })],
      [agent('a'), agent('b', { idleSince: 5 })],
    );
    expect(declined).toMatchObject([{ agentId: 'b' }]);
    const manual = plan([conversation('c')], [agent('a')], policies({ ...offerPolicyOf(REF, null), mode: 'manual' }));
    expect(manual).toEqual([]);
  });

  it('assigns directly where the channel has no timeout, and broadcasts to those not offered yet', () => {
    expect(plan([conversation('mail', { channel: 'email' })], [agent('a')])).toEqual([
      { kind: 'assign', conversationId: 'mail', agentId: 'a', departmentId: REF },
    ]);
    const broadcast = plan(
      [conversation('c', { broadcastTo: new Set(['a']) })],
      [agent('a'), agent('b'), agent('c', { load: { ...zero(), chat: 3 } })],
      policies({ ...offerPolicyOf(REF, null), mode: 'broadcast' }),
    );
    expect(broadcast).toEqual([{ kind: 'broadcast', conversationId: 'c', agentIds: ['b'], departmentId: REF }]);
  });

  it('overflows after its time: moved, or offered in the overflow department too', () => {
    const overflow = (action: 'offer' | 'move') =>
      policies({ ...offerPolicyOf(REF, null), overflow: { afterSeconds: 60, departmentId: CIRC, action } });
    const circ = agent('circ-agent', { departmentIds: new Set([CIRC]) });
    const young = conversation('young', { queuedAt: 100_000 - 59_000 });
    const old = conversation('old', { queuedAt: 100_000 - 60_000 });
    expect(plan([young], [circ], overflow('move'))).toEqual([]);
    expect(plan([old], [circ], overflow('move'))).toEqual([
      { kind: 'move', conversationId: 'old', toDepartmentId: CIRC },
    ]);
    expect(plan([old], [circ], overflow('offer'))).toEqual([
      { kind: 'offer', conversationId: 'old', agentId: 'circ-agent', departmentId: CIRC, timeoutSeconds: 30 },
    ]);
  });

  it('stops once nobody has a place left', () => {
    const conversations = Array.from({ length: 10_000 }, (_, i) => conversation(`c${i}`, { queuedAt: i }));
    const actions = plan(conversations, [agent('a', { capacity: { voice: 0, video: 0, chat: 1, sms: 0, email: 0 } })]);
    expect(actions).toHaveLength(1);
  });
});

describe('hasSkills', () => {
  it('needs every language (by primary subtag) and every subject', () => {
    const skills = { languages: ['en-GB', 'fa'], subjects: ['Genealogy'] };
    expect(hasSkills(skills, null)).toBe(true);
    expect(hasSkills(skills, { languages: ['en'] })).toBe(true);
    expect(hasSkills(skills, { languages: ['en-US', 'fa-IR'], subjects: ['genealogy'] })).toBe(true);
    expect(hasSkills(skills, { languages: ['es'] })).toBe(false);
    expect(hasSkills(skills, { subjects: ['genealogy', 'maps'] })).toBe(false);
  });
});
