// The supervisor board's wire format (GET /queue-stats), shared by the server that builds it and the
// console that shows it.
import type { Channel } from './channels';

export const PRESENCES = ['available', 'busy', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** The counters of one queue (department × channel) on one local day, as the rollup row keeps them. */
export const COUNTERS = [
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
}
