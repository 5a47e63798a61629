// The supervisor board's wire format (GET /queue-stats), shared by the server that builds it and the
// console that shows it.
import type { Channel } from './channels';

export const PRESENCES = ['available', 'busy', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** The counters of one queue (department × channel) in one local hour, as the rollup row keeps them. */
export const COUNTERS = [
  'opened',
  'offered',
  'accepted',
  'rejected',
  'timedOut',
  'answered',
  'answeredWithin',
  'abandoned',
  'shortAbandoned',
  'resolved',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

/** Milliseconds; null without data today. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
}

export interface QueueFigures extends Counters {
  waiting: number;
  longestWaitMs: number | null;
  serviceLevel: number | null;
  firstResponseMs: Percentiles;
  resolutionMs: Percentiles;
  /** Open conversations in breach of an SLA target now. */
  breached: number;
}

export interface AgentLoad {
  agentId: string;
  displayName: string;
  presence: Presence;
  presenceChangedAt: string | null;
  departmentIds: string[];
  load: Partial<Record<Channel, number>>;
  /** Per capacity channel (the API channel has none). */
  capacity: Partial<Record<Channel, number>>;
}

/** One local hour of the day (0–23; on a day the clocks go back, the repeated hour counts as one). */
export interface HourFigures {
  hour: number;
  /** Conversations that came in. */
  opened: number;
  /** First staff replies. */
  answered: number;
  /** First-response times of the hour's answers. */
  firstResponseMs: Percentiles;
}

/** SLA targets whose clock runs on a conversation (the names the SLA policies use). */
export type BreachedTarget = 'firstResponse' | 'nextResponse' | 'resolution';

/** A conversation still open whose SLA target has passed unmet. */
export interface BreachRow {
  conversationId: string;
  number: number;
  subject: string | null;
  departmentId: string | null;
  channel: Channel;
  priority: string;
  /** The targets in breach now, and when the earliest of them was recorded. */
  targets: BreachedTarget[];
  breachedAt: string;
}

export interface QueueStatsReport {
  day: string;
  timeZone: string;
  generatedAt: string;
  serviceLevelThresholdsMs: Record<Channel, number>;
  shortAbandonMs: number;
  /** null departmentId: the triage queue. */
  queues: Array<QueueFigures & { departmentId: string | null; channel: Channel }>;
  totals: QueueFigures;
  departments: Array<{ departmentId: string; agents: Record<Presence, number> }>;
  agents: AgentLoad[];
  /** Today's 24 local hours of the queues in view, midnight first. */
  hours: HourFigures[];
  /** The open conversations in breach, the oldest first (at most BREACH_LIST_LIMIT). */
  breaches: BreachRow[];
}

export const BREACH_LIST_LIMIT = 50;
