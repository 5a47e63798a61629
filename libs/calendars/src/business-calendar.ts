import { DateTime } from 'luxon';
import {
  CalendarDefinition,
  CalendarProblem,
  calendarProblems,
  closureBound,
  minutesOf,
  resolveWallTime,
  WEEKDAYS,
} from './calendar-definition';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A definition the engine cannot use; `problems` name the fields (the service turns them into a 400). */
export class InvalidCalendarDefinition extends Error {
  constructor(readonly problems: CalendarProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'InvalidCalendarDefinition';
  }
}

type Span = [start: number, end: number];

/** BusinessCalendar.alwaysOpen's, by zone (only valid zones get one: the constructor throws on others). */
const ALWAYS_OPEN = new Map<string, BusinessCalendar>();

/** Sorted, non-overlapping spans; touching ones joined. */
function merged(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

/**
 * Opening hours as arithmetic, with no database: is the desk open at an instant, when does it open or
 * close next, how much open time lies between two instants, and when is "start + N business minutes".
 *
 * Weekly periods are local wall-clock times, resolved per local date in the calendar's IANA zone (Luxon),
 * so 09:00–17:00 is eight real hours on an ordinary day and whatever the clock allows on a day the
 * clocks change. A period runs from the first instant the clock reads its start to the last instant
 * it reads its end: a start or end in a spring-forward gap is the instant of the jump (so 02:00–03:00
 * on that night is empty, and 01:00–02:30 closes at 03:00 new time after one real hour); in a fall-back
 * overlap the start is the earlier and the end the later occurrence (00:00–01:30 then lasts 2½ hours,
 * and the repeated hour is counted once, as elapsed time). Holidays close whole local days;
 * closures cut real time. Searches forward give up after two years without any open time (null),
 * so no question can loop for ever.
 */
export class BusinessCalendar {
  /** How far a search runs without finding open time before it answers null (two years and a day). */
  static readonly HORIZON_DAYS = 732;

  private readonly periods: Array<Array<[number, number]>> = WEEKDAYS.map(() => []);
  private readonly datedHolidays = new Set<string>();
  private readonly yearlyHolidays = new Set<string>();
  private readonly closures: Span[];
  private readonly days = new Map<number, Span[]>();

  constructor(readonly definition: CalendarDefinition) {
    const problems = calendarProblems(definition);
    if (problems.length > 0) throw new InvalidCalendarDefinition(problems);
    for (const period of definition.weekly) {
      const day = (WEEKDAYS as readonly string[]).indexOf(period.day);
      this.periods[day].push([minutesOf(period.start)!, minutesOf(period.end)!]);
    }
    for (const holiday of definition.holidays) {
      (holiday.date.length === 5 ? this.yearlyHolidays : this.datedHolidays).add(holiday.date);
    }
    this.closures = merged(
      definition.closures.map((c): Span => [
        closureBound(c.start, definition.timeZone, 'start')!,
        closureBound(c.end, definition.timeZone, 'end')!,
      ]),
    );
  }

  /** Open every hour of every day (the answer when nothing is configured). */
  static alwaysOpen(timeZone = 'UTC'): BusinessCalendar {
    // One per zone: SLA clocks ask for it on every event of a 24/7 policy or none.
    let calendar = ALWAYS_OPEN.get(timeZone);
    if (!calendar) {
      calendar = new BusinessCalendar({
        timeZone,
        weekly: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
        holidays: [],
        closures: [],
      });
      ALWAYS_OPEN.set(timeZone, calendar);
    }
    return calendar;
  }

  get timeZone(): string {
    return this.definition.timeZone;
  }

  isOpenAt(at: Date): boolean {
    const t = at.getTime();
    for (const [start, end] of this.pieces(t, t)) {
      if (end > t) return start <= t;
    }
    return false;
  }

  /** The first instant at or after `after` at which the desk is open (`after` itself when open), or null. */
  nextOpening(after: Date): Date | null {
    const t = after.getTime();
    for (const [start, end] of this.pieces(t)) {
      if (end > t) return new Date(Math.max(start, t));
    }
    return null;
  }

  /** The first instant at or after `after` at which the desk is closed (`after` itself when closed), or null when it stays open for the whole horizon. */
  nextClosing(after: Date): Date | null {
    const t = after.getTime();
    let at = t;
    for (const [start, end] of this.pieces(t)) {
      if (end <= at) continue;
      if (start > at) return new Date(at);
      at = end;
      if (at - t > BusinessCalendar.HORIZON_DAYS * DAY) return null;
    }
    return new Date(at);
  }

  /** Open time between two instants, in milliseconds of real elapsed time; negative when `to` is before `from`. */
  businessMillisBetween(from: Date, to: Date): number {
    const [a, b] = [from.getTime(), to.getTime()];
    if (b < a) return -this.businessMillisBetween(to, from);
    let total = 0;
    for (const [start, end] of this.pieces(a, b)) {
      if (start >= b) break;
      total += Math.max(0, Math.min(end, b) - Math.max(start, a));
    }
    return total;
  }

  /**
   * The earliest instant by which `millis` of open time have passed since `from` (an SLA due time);
   * `from` itself for 0, a closing time when the budget runs out exactly there; null when the
   * calendar has no open time for two years.
   */
  addBusinessMillis(from: Date, millis: number): Date | null {
    if (!Number.isFinite(millis) || millis < 0) throw new RangeError('millis must be a finite number >= 0');
    const t = from.getTime();
    if (millis === 0) return new Date(t);
    let remaining = millis;
    for (const [start, end] of this.pieces(t)) {
      if (end <= t) continue;
      const begin = Math.max(start, t);
      if (remaining <= end - begin) return new Date(begin + remaining);
      remaining -= end - begin;
    }
    return null;
  }

  /** The open spans between two instants, for display. */
  openSpans(from: Date, to: Date): Array<{ start: Date; end: Date }> {
    const [a, b] = [from.getTime(), to.getTime()];
    const out: Span[] = [];
    for (const [start, end] of this.pieces(a, b)) {
      if (start >= b) break;
      const span: Span = [Math.max(start, a), Math.min(end, b)];
      const last = out[out.length - 1];
      if (last && span[0] <= last[1]) last[1] = span[1];
      else out.push(span);
    }
    return out.map(([start, end]) => ({ start: new Date(start), end: new Date(end) }));
  }

  /**
   * Open spans, day by day in local dates from the day before `from`'s, each day's merged and cut by
   * closures. Stops after the last day that can reach `until`, or after HORIZON_DAYS days in a row
   * without open time.
   */
  private *pieces(from: number, until = Infinity): Generator<Span> {
    const local = DateTime.fromMillis(from, { zone: this.timeZone });
    let day = Date.UTC(local.year, local.month - 1, local.day) - DAY;
    let idle = 0;
    // Days do not overlap, except where a zone's clocks change at midnight: never yield an instant twice.
    let covered = -Infinity;
    // A local day's instants lie within 14 hours of its wall-clock midnight read as UTC.
    while (day - 14 * 60 * MINUTE <= until) {
      const spans = this.spansOf(day);
      if (spans.length === 0) {
        if (++idle > BusinessCalendar.HORIZON_DAYS) return;
      } else idle = 0;
      for (const [start, end] of spans) {
        if (end <= from || end <= covered) continue;
        yield [Math.max(start, covered), end];
        covered = end;
      }
      day += DAY;
    }
  }

  /** The open spans of one local date, given as the UTC milliseconds of its wall-clock midnight. */
  private spansOf(day: number): Span[] {
    const cached = this.days.get(day);
    if (cached) return cached;
    const date = new Date(day);
    const iso = date.toISOString().slice(0, 10);
    let spans: Span[] = [];
    if (!this.datedHolidays.has(iso) && !this.yearlyHolidays.has(iso.slice(5))) {
      const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
      const raw = this.periods[weekday].map(([start, end]): Span => {
        return [
          resolveWallTime(this.timeZone, day + start * MINUTE).first,
          resolveWallTime(this.timeZone, day + end * MINUTE).last,
        ];
      });
      spans = this.withoutClosures(merged(raw.filter(([start, end]) => end > start)));
    }
    if (this.days.size > 4096) this.days.clear();
    this.days.set(day, spans);
    return spans;
  }

  private withoutClosures(spans: Span[]): Span[] {
    if (this.closures.length === 0) return spans;
    const out: Span[] = [];
    for (const [start, end] of spans) {
      let at = start;
      // The first closure that ends after the span starts (closures are sorted and disjoint).
      let low = 0;
      let high = this.closures.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (this.closures[middle][1] <= start) low = middle + 1;
        else high = middle;
      }
      for (let i = low; i < this.closures.length && this.closures[i][0] < end; i++) {
        const [closedFrom, closedUntil] = this.closures[i];
        if (closedFrom > at) out.push([at, closedFrom]);
        at = Math.max(at, closedUntil);
      }
      if (at < end) out.push([at, end]);
    }
    return out;
  }
}
