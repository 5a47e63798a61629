/**
 * bench/routing-decision: the offer planner's decision (libs/offers planOffers) with 1,000 agents in
 * 10 departments and 10,000 conversations waiting (#14's target: p99 ≤ 5 ms). Every agent is full
 * but one, who has just freed a place: the planner must find the next conversation for them in
 * queue order (priority, SLA due time, time queued), with skills and the department checked, and
 * offer nothing to anyone else. The ceiling measured in the same run is the least any such decision
 * costs: one pass over the 10,000 waiting conversations to find the head of the queue, nothing else.
 */
import type { CapacityChannel } from '@readerdesk/contracts';
import type { Priority } from '@readerdesk/conversations';
import {
  type CandidateAgent,
  offerPolicyOf,
  type OfferPolicy,
  planOffers,
  queueOrder,
  type QueuedConversation,
} from '@readerdesk/offers';
import { DEFAULT_CAPACITY } from '@readerdesk/staff';
import { loadavg } from 'node:os';
import { percentile } from './stats';

const AGENTS = 1_000;
const WAITING = 10_000;
const DEPARTMENTS = 10;
const ROUNDS = 300;
/** Rounds run first and not counted: V8 compiles the planner once per process (a desk's first dispatch), not per decision. */
const WARMUP = 50;
/** Distinct queues the decisions cycle through. */
const QUEUES = 20;
const PRIORITIES: Priority[] = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const LANGUAGES = ['en', 'es', 'fa', 'zh'];

function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** The waiting conversations (the planner reads them and never changes them). */
function queue(seed: number): QueuedConversation[] {
  const random = seeded(seed);
  const none = new Set<string>();
  return Array.from({ length: WAITING }, (_, i): QueuedConversation => ({
    id: `c${i}`,
    departmentId: `d${i % DEPARTMENTS}`,
    channel: random() < 0.7 ? 'chat' : 'email',
    priority: PRIORITIES[Math.floor(random() * PRIORITIES.length)],
    dueAt: random() < 0.8 ? 1_000_000 + Math.floor(random() * 3_600_000) : null,
    queuedAt: Math.floor(random() * 1_000_000),
    requiredSkills: random() < 0.2 ? { languages: [LANGUAGES[Math.floor(random() * LANGUAGES.length)]] } : null,
    offered: false,
    broadcastTo: none,
    declinedBy: none,
  }));
}

/** The agents, every one full but one (the planner raises the loads it plans: a fresh roster each decision). */
function roster(seed: number): CandidateAgent[] {
  const random = seeded(seed);
  const freed = Math.floor(random() * AGENTS);
  return Array.from({ length: AGENTS }, (_, i): CandidateAgent => {
    const capacity = { ...DEFAULT_CAPACITY };
    const load = { ...capacity } as Record<CapacityChannel, number>;
    if (i === freed) load.chat -= 1;
    return {
      id: `a${i}`,
      departmentIds: new Set([`d${i % DEPARTMENTS}`, `d${(i + 3) % DEPARTMENTS}`]),
      skills: { languages: ['en', LANGUAGES[i % LANGUAGES.length]], subjects: [] },
      capacity,
      load,
      idleSince: Math.floor(random() * 1_000_000),
      lastOfferedAt: 0,
    };
  });
}

export async function routingDecisionBench(): Promise<unknown> {
  const policies = new Map<string, OfferPolicy>(
    Array.from({ length: DEPARTMENTS }, (_, d) => [`d${d}`, offerPolicyOf(`d${d}`, null)]),
  );
  const decision: number[] = [];
  /** The process's own CPU time per decision: what the decision costs, apart from waiting for a core on a busy machine. */
  const cpu: number[] = [];
  const ceiling: number[] = [];
  let offered = 0;
  // Queues built before measuring and taken in turn, so that no decision pays for collecting the 10,000
  // objects the bench would otherwise build just before it (a desk reads its window of the queue per dispatch).
  const queues = Array.from({ length: QUEUES }, (_, k) => queue(k + 1));
  for (let round = -WARMUP; round < ROUNDS; round++) {
    const conversations = queues[(round + WARMUP) % QUEUES];
    const agents = roster(round + WARMUP + 1);
    const scanStart = process.hrtime.bigint();
    let head = conversations[0];
    for (const c of conversations) if (queueOrder(c, head) < 0) head = c;
    ceiling.push(Number(process.hrtime.bigint() - scanStart) / 1e6);
    if (!head) throw new Error('no queue');
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const actions = planOffers({ conversations, agents, policies, now: 2_000_000 });
    const took = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpuStart);
    if (actions.length > 1) throw new Error(`one free place, ${actions.length} actions`);
    if (round < 0) {
      ceiling.pop();
      continue;
    }
    decision.push(took);
    cpu.push((used.user + used.system) / 1000);
    offered += actions.length;
  }
  decision.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  ceiling.sort((a, b) => a - b);
  const figures = {
    agents: AGENTS,
    waiting: WAITING,
    rounds: ROUNDS,
    offered,
    p50ms: percentile(decision, 50),
    p95ms: percentile(decision, 95),
    p99ms: percentile(decision, 99),
    maxMs: decision[decision.length - 1],
    cpuP50ms: percentile(cpu, 50),
    cpuP99ms: percentile(cpu, 99),
    loadAverage: loadavg()[0],
    ceilingP50ms: percentile(ceiling, 50),
    ceilingP99ms: percentile(ceiling, 99),
  };
  console.log(
    `${AGENTS} agents, ${WAITING} waiting, ${ROUNDS} decisions after ${WARMUP} warm-up rounds (${offered} offers made)`,
  );
  console.log('                         p50 ms    p95 ms    p99 ms    max ms');
  console.log(
    `planOffers             ${[figures.p50ms, figures.p95ms, figures.p99ms, figures.maxMs].map((v) => v.toFixed(3).padStart(8)).join('  ')}`,
  );
  console.log(
    `  its CPU time         ${figures.cpuP50ms.toFixed(3).padStart(8)}            ${figures.cpuP99ms.toFixed(3).padStart(8)}`,
  );
  console.log(
    `ceiling: one scan      ${figures.ceilingP50ms.toFixed(3).padStart(8)}  ${figures.ceilingP99ms.toFixed(3).padStart(8)}`,
  );
  console.log(
    `ratio (decision / ceiling, p50): ${(figures.p50ms / figures.ceilingP50ms).toFixed(2)}; target p99 ≤ 5 ms; load average ${figures.loadAverage.toFixed(2)}`,
  );
  return figures;
}
