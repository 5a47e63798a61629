import type { BusinessCalendar } from '@readerdesk/calendars';

export const SLA_TARGETS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

/** One clock: the time it ran before it last paused, and since when it runs again (null: paused). */
export interface TargetClock {
  consumedMs: number;
  /** ISO instant; null while paused. */
  runningSince: string | null;
  /** ISO instants computed with the policy in force (null while paused or without a target). */
  warnAt?: string | null;
  dueAt?: string | null;
}

/** What `conversations.sla_clock` holds. */
export interface SlaClockState {
  clocks: Partial<Record<SlaTarget, TargetClock>>;
  /** A member of staff has answered once: a later message of the reader starts the next-response clock. */
  answered: boolean;
}

/** Targets of the policy in force, in milliseconds (null: no target), and the warning's share of each. */
export interface SlaTargetsMs {
  firstResponse: number | null;
  nextResponse: number | null;
  resolution: number | null;
  warnAt: number;
}

/** What moves the clocks. */
export type ClockEvent =
  | { kind: 'opened'; running: boolean }
  | { kind: 'paused' }
  | { kind: 'resumed' }
  | { kind: 'resolved' }
  | { kind: 'closed' }
  | { kind: 'staff-replied' }
  | { kind: 'reader-wrote'; running: boolean }
  | { kind: 'retargeted' };

/** Business time measured when a clock stopped (first response at the reply, resolution at resolving). */
export interface Stopped {
  firstResponse?: number;
  resolution?: number;
}

export function emptyState(): SlaClockState {
  return { clocks: {}, answered: false };
}

/** Time the clock has run up to `now` on `calendar`. */
export function elapsedMs(clock: TargetClock, calendar: BusinessCalendar, now: Date): number {
  if (!clock.runningSince) return clock.consumedMs;
  const since = new Date(clock.runningSince);
  return clock.consumedMs + (now > since ? calendar.businessMillisBetween(since, now) : 0);
}

function paused(clock: TargetClock, calendar: BusinessCalendar, now: Date): TargetClock {
  return { consumedMs: elapsedMs(clock, calendar, now), runningSince: null };
}

function running(clock: TargetClock, now: Date): TargetClock {
  return clock.runningSince ? clock : { consumedMs: clock.consumedMs, runningSince: now.toISOString() };
}

function started(now: Date, run: boolean): TargetClock {
  return { consumedMs: 0, runningSince: run ? now.toISOString() : null };
}

/**
 * The clocks after an event. First response and resolution start when the conversation opens;
 * next response starts when the reader writes after a staff answer and stops at the next answer.
 * Pending and snoozed pause every clock (the time consumed is kept); going back to new or open
 * resumes them, so the remaining time is added again from then. Resolving pauses the resolution
 * clock (its time so far is what resolution took) and drops the response clocks; reopening
 * resumes resolution from what was left. Closing ends everything.
 */
export function applyEvent(
  state: SlaClockState,
  event: ClockEvent,
  calendar: BusinessCalendar,
  now: Date,
): { state: SlaClockState; stopped: Stopped } {
  const clocks = { ...state.clocks };
  const stopped: Stopped = {};
  let answered = state.answered;
  const each = (fn: (clock: TargetClock) => TargetClock) => {
    for (const target of SLA_TARGETS) {
      const clock = clocks[target];
      if (clock) clocks[target] = fn(clock);
    }
  };
  switch (event.kind) {
    case 'opened':
      if (!clocks.firstResponse && !answered) clocks.firstResponse = started(now, event.running);
      clocks.resolution ??= started(now, event.running);
      break;
    case 'paused':
      each((clock) => paused(clock, calendar, now));
      break;
    case 'resumed':
      each((clock) => running(clock, now));
      break;
    case 'resolved':
      if (clocks.resolution) {
        clocks.resolution = paused(clocks.resolution, calendar, now);
        stopped.resolution = clocks.resolution.consumedMs;
      }
      delete clocks.firstResponse;
      delete clocks.nextResponse;
      break;
    case 'closed':
      for (const target of SLA_TARGETS) delete clocks[target];
      break;
    case 'staff-replied':
      if (clocks.firstResponse) {
        stopped.firstResponse = elapsedMs(clocks.firstResponse, calendar, now);
        delete clocks.firstResponse;
      }
      delete clocks.nextResponse;
      answered = true;
      break;
    case 'reader-wrote':
      if (answered && !clocks.firstResponse && !clocks.nextResponse) clocks.nextResponse = started(now, event.running);
      break;
    case 'retargeted':
      break;
  }
  return { state: { clocks, answered }, stopped };
}

/**
 * Warn and due instants of each running clock with a target: the remaining time added to the
 * moment it (last) started running, on the calendar. Paused clocks have none.
 */
export function withInstants(
  state: SlaClockState,
  targets: SlaTargetsMs | null,
  calendar: BusinessCalendar,
): SlaClockState {
  const clocks: SlaClockState['clocks'] = {};
  for (const target of SLA_TARGETS) {
    const clock = state.clocks[target];
    if (!clock) continue;
    const targetMs = targets?.[target] ?? null;
    if (!clock.runningSince || targetMs === null) {
      clocks[target] = { consumedMs: clock.consumedMs, runningSince: clock.runningSince, warnAt: null, dueAt: null };
      continue;
    }
    const since = new Date(clock.runningSince);
    const at = (ms: number) =>
      calendar.addBusinessMillis(since, Math.max(0, ms - clock.consumedMs))?.toISOString() ?? null;
    clocks[target] = {
      consumedMs: clock.consumedMs,
      runningSince: clock.runningSince,
      warnAt: at(Math.round(targetMs * (targets?.warnAt ?? 0.8))),
      dueAt: at(targetMs),
    };
  }
  return { clocks, answered: state.answered };
}

/** Reads what a row holds (null for conversations from before SLA clocks). */
export function stateOf(value: unknown): SlaClockState | null {
  if (!value || typeof value !== 'object' || !('clocks' in value)) return null;
  return value as SlaClockState;
}
