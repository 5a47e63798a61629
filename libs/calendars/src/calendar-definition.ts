import { DateTime, IANAZone } from 'luxon';

/** Weekdays as the API writes them; ISO numbering (Monday = 1) is their index + 1. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock hours on one weekday: `start` before `end`, `HH:mm`; `end` may be `24:00` (midnight after). */
export interface WeeklyPeriod {
  day: Weekday;
  start: string;
  end: string;
}

/** A whole local day the desk is closed: `YYYY-MM-DD` once, or `MM-DD` every year. */
export interface Holiday {
  date: string;
  name: string;
}

/**
 * A one-off closure, end exclusive. Each bound is an instant with its offset (`2026-03-10T12:00:00Z`),
 * a local date-time in the calendar's zone (`2026-03-10T12:00`), or a local date (`2026-03-10`: the
 * start of that day for `start`, the end of that day for `end`, so `2026-12-24`–`2026-12-31` closes
 * eight whole days).
 */
export interface Closure {
  start: string;
  end: string;
  name?: string | null;
}

export interface CalendarDefinition {
  timeZone: string;
  weekly: readonly WeeklyPeriod[];
  holidays: readonly Holiday[];
  closures: readonly Closure[];
}

export interface CalendarProblem {
  field: string;
  message: string;
}

export const CALENDAR_LIMITS = { weekly: 70, holidays: 1000, closures: 1000 } as const;

const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEARLY = /^(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Minutes after local midnight of `HH:mm` (`24:00` is 1440), or null when it is not such a time. */
export function minutesOf(time: string): number | null {
  const match = HH_MM.exec(time);
  if (!match) return null;
  return Number(match[1] ?? match[3]) * 60 + Number(match[2] ?? match[4]);
}

export function isTimeZoneName(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length > 64) return false;
  if (VALID_ZONES.has(zone)) return true;
  // Luxon asks Intl for a formatter each time (a CPU profile of ingestion found it at 4.6 %): valid names
  // are remembered (the zone database holds a few hundred), invalid ones asked again.
  const valid = IANAZone.isValidZone(zone);
  if (valid) VALID_ZONES.add(zone);
  return valid;
}
const VALID_ZONES = new Set<string>();

/** A real calendar date `YYYY-MM-DD` (not 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  return DateTime.utc(Number(match[1]), Number(match[2]), Number(match[3])).isValid;
}

/** A month and day that exist in some year (`02-29` does: leap years only). */
export function isYearlyDate(value: string): boolean {
  const match = YEARLY.exec(value);
  if (!match) return false;
  return DateTime.utc(2024, Number(match[1]), Number(match[2])).isValid;
}

/**
 * A closure bound as an instant (ms), or null when unreadable. Local dates and date-times are read in
 * `zone` with the same gap and overlap rules as opening hours (see `resolveWallTime`).
 */
export function closureBound(value: string, zone: string, edge: 'start' | 'end'): number | null {
  if (typeof value !== 'string') return null;
  if (INSTANT.test(value)) {
    const at = DateTime.fromISO(value, { setZone: true });
    return at.isValid ? at.toMillis() : null;
  }
  if (LOCAL_DATE_TIME.test(value)) {
    const at = DateTime.fromISO(value, { zone: 'utc' });
    if (!at.isValid) return null;
    const wall = at.toMillis();
    const resolved = resolveWallTime(zone, wall);
    return edge === 'start' ? resolved.first : resolved.last;
  }
  if (isCalendarDate(value)) {
    const day = DateTime.fromISO(value, { zone: 'utc' });
    const wall = (edge === 'start' ? day : day.plus({ days: 1 })).toMillis();
    // Midnight, in the rare zone whose clocks change at midnight, is the first instant of the day either way.
    return resolveWallTime(zone, wall).first;
  }
  return null;
}

/**
 * Where a local wall-clock time (given as the UTC milliseconds of the same wall reading) falls in the
 * zone. `first` and `last` are the earliest and latest instants the clock reads it: the same instant
 * on an ordinary day, one hour apart in a fall-back overlap (01:30 happens twice). In a spring-forward
 * gap (02:30 never happens) both are the instant the clock jumps, the first whose reading is later.
 * Offsets come from the zone database through Luxon's IANAZone.
 */
export function resolveWallTime(zoneName: string, wall: number): { first: number; last: number } {
  const zone = IANAZone.create(zoneName);
  const day = 86_400_000;
  const before = zone.offset(wall - day);
  const after = zone.offset(wall + day);
  // Most days: no change of offset within a day either side (zones change at most once in two days).
  if (before === after && zone.offset(wall - before * 60_000) === before) {
    const at = wall - before * 60_000;
    return { first: at, last: at };
  }
  const offsets = new Set([before, zone.offset(wall), after]);
  const candidates = [...offsets].map((offset) => ({ offset, at: wall - offset * 60_000 }));
  const valid = candidates.filter((c) => zone.offset(c.at) === c.offset).map((c) => c.at);
  if (valid.length > 0) return { first: Math.min(...valid), last: Math.max(...valid) };
  // In a gap: the first instant whose wall reading is at or after `wall`, found by bisection.
  const readingOf = (at: number) => at + zone.offset(at) * 60_000;
  let low = Math.min(...candidates.map((c) => c.at));
  let high = Math.max(...candidates.map((c) => c.at));
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (readingOf(middle) >= wall) high = middle;
    else low = middle;
  }
  return { first: high, last: high };
}

function weekdayIndex(day: string): number {
  return (WEEKDAYS as readonly string[]).indexOf(day);
}

/**
 * Everything wrong with a definition, each naming its field (`weekly[2].end`); empty when it is
 * usable. Overnight periods (22:00–02:00) are refused: write 22:00–24:00 and 00:00–02:00 on the next
 * day, which join at midnight.
 */
export function calendarProblems(definition: CalendarDefinition): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const zoneOk = isTimeZoneName(definition.timeZone);
  if (!zoneOk)
    problems.push({
      field: 'timeZone',
      message: `timeZone "${String(definition.timeZone)}" is not an IANA time zone (such as Europe/London)`,
    });
  const weekly = definition.weekly ?? [];
  if (weekly.length > CALENDAR_LIMITS.weekly)
    problems.push({ field: 'weekly', message: `weekly has more than ${CALENDAR_LIMITS.weekly} periods` });
  const spans: Array<{ index: number; day: number; start: number; end: number }> = [];
  weekly.forEach((period, index) => {
    const field = `weekly[${index}]`;
    const day = weekdayIndex(period.day);
    if (day < 0)
      problems.push({ field: `${field}.day`, message: `${field}.day must be one of ${WEEKDAYS.join(', ')}` });
    const start = minutesOf(period.start);
    const end = minutesOf(period.end);
    if (start === null || start === 1440)
      problems.push({ field: `${field}.start`, message: `${field}.start must be a time HH:mm from 00:00 to 23:59` });
    if (end === null || end === 0)
      problems.push({ field: `${field}.end`, message: `${field}.end must be a time HH:mm from 00:01 to 24:00` });
    if (start !== null && end !== null && start !== 1440 && end !== 0 && end <= start)
      problems.push({
        field: `${field}.end`,
        message: `${field}.end (${period.end}) must be after its start (${period.start}); a period past midnight is two periods, one ending 24:00 and one starting 00:00`,
      });
    else if (day >= 0 && start !== null && end !== null) spans.push({ index, day, start, end });
  });
  spans.sort((a, b) => a.day - b.day || a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const [before, after] = [spans[i - 1], spans[i]];
    if (before.day === after.day && after.start < before.end) {
      const [first, second] = [before.index, after.index].sort((a, b) => a - b);
      problems.push({
        field: `weekly[${second}]`,
        message: `weekly[${second}] overlaps weekly[${first}] on ${WEEKDAYS[after.day]}`,
      });
    }
  }
  const holidays = definition.holidays ?? [];
  if (holidays.length > CALENDAR_LIMITS.holidays)
    problems.push({ field: 'holidays', message: `holidays has more than ${CALENDAR_LIMITS.holidays} entries` });
  const seen = new Map<string, number>();
  holidays.forEach((holiday, index) => {
    const field = `holidays[${index}]`;
    if (!isCalendarDate(holiday.date) && !isYearlyDate(holiday.date))
      problems.push({
        field: `${field}.date`,
        message: `${field}.date must be a date YYYY-MM-DD or, every year, MM-DD`,
      });
    else if (seen.has(holiday.date))
      problems.push({
        field: `${field}.date`,
        message: `${field}.date ${holiday.date} is already holidays[${seen.get(holiday.date)}]`,
      });
    else seen.set(holiday.date, index);
    if (typeof holiday.name !== 'string' || holiday.name.trim() === '' || holiday.name.length > 200)
      problems.push({ field: `${field}.name`, message: `${field}.name must be 1 to 200 characters` });
  });
  const closures = definition.closures ?? [];
  if (closures.length > CALENDAR_LIMITS.closures)
    problems.push({ field: 'closures', message: `closures has more than ${CALENDAR_LIMITS.closures} entries` });
  closures.forEach((closure, index) => {
    const field = `closures[${index}]`;
    const zone = zoneOk ? definition.timeZone : 'UTC';
    const start = closureBound(closure.start, zone, 'start');
    const end = closureBound(closure.end, zone, 'end');
    const format = 'an instant (2026-03-10T12:00:00Z), a local date-time (2026-03-10T12:00) or a local date';
    if (start === null) problems.push({ field: `${field}.start`, message: `${field}.start must be ${format}` });
    if (end === null) problems.push({ field: `${field}.end`, message: `${field}.end must be ${format}` });
    if (start !== null && end !== null && end <= start)
      problems.push({ field: `${field}.end`, message: `${field}.end must be after ${field}.start` });
    if (closure.name !== undefined && closure.name !== null && String(closure.name).length > 200)
      problems.push({ field: `${field}.name`, message: `${field}.name must be at most 200 characters` });
  });
  return problems;
}
