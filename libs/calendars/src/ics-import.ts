import { DateTime } from 'luxon';
import type IcalModule from 'ical.js' with { 'resolution-mode': 'import' };

// ical.js is an ES module whose package also ships a CommonJS build (its "require" export), which is
// what Node loads here; the types are the ES module's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof IcalModule;
import { Closure, Holiday, isTimeZoneName } from './calendar-definition';

/** Largest `.ics` upload read (a country's holidays for decades fit in a few KB). */
export const ICS_MAX_BYTES = 1_048_576;
/** Most events, and most days or closures they may turn into, in one file. */
export const ICS_MAX_EVENTS = 2000;
export const ICS_MAX_ENTRIES = 1000;
/** Recurring events are expanded from the start of `from`'s year over this many years. */
export const ICS_HORIZON_YEARS = 3;

/** An unreadable or oversized file; `field` says where (`file`, `VEVENT[3].DTSTART`). */
export class IcsImportError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'IcsImportError';
  }
}

export interface IcsImport {
  holidays: Holiday[];
  closures: Closure[];
}

type Time = InstanceType<typeof ICAL.Time> & { timezone?: string };

const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (t: Time) => `${t.year}-${pad(t.month)}-${pad(t.day)}`;

/**
 * A timed bound: an instant when the file says which (UTC, a VTIMEZONE it carries, an IANA TZID),
 * otherwise (floating time) a local date-time that the calendar reads in its own zone.
 */
function timedBound(t: Time, tzidOfEvent: string | undefined): string {
  const local = `${dateOf(t)}T${pad(t.hour)}:${pad(t.minute)}`;
  const tzid = t.zone?.tzid;
  if (tzid === 'UTC' || (tzid && tzid !== 'floating')) return new Date(t.toUnixTime() * 1000).toISOString();
  // A TZID without a VTIMEZONE leaves ical.js with floating time (and occurrences without the TZID).
  const named = t.timezone ?? tzidOfEvent;
  if (named && isTimeZoneName(named)) return DateTime.fromISO(local, { zone: named }).toUTC().toISO()!;
  return local;
}

/** A yearly rule with nothing else in it (RRULE:FREQ=YEARLY) on a one-day event: an `MM-DD` holiday. */
function plainlyYearly(rule: InstanceType<typeof ICAL.Recur> | null, start: Time): boolean {
  if (!rule || rule.freq !== 'YEARLY' || (rule.interval ?? 1) !== 1 || rule.count || rule.until) return false;
  const parts = rule.parts as Record<string, unknown[] | undefined>;
  return Object.entries(parts).every(
    ([name, values]) =>
      !values ||
      values.length === 0 ||
      (name === 'BYMONTH' && values.length === 1 && Number(values[0]) === start.month) ||
      (name === 'BYMONTHDAY' && values.length === 1 && Number(values[0]) === start.day),
  );
}

/**
 * Holidays and closures from an iCalendar file. An all-day event of one day is a holiday (dated, or
 * `MM-DD` for a plain yearly rule); of several days, a closure of those local dates; a timed event, a
 * closure. Other recurring rules (Thanksgiving's BYDAY=4TH, a weekly meeting) are expanded with ical.js
 * from the start of `from`'s year for ICS_HORIZON_YEARS years. Cancelled events are skipped.
 */
export function importIcs(text: string, from: Date): IcsImport {
  if (Buffer.byteLength(text, 'utf8') > ICS_MAX_BYTES)
    throw new IcsImportError('file', `The .ics file is larger than ${ICS_MAX_BYTES} bytes`, true);
  let root: InstanceType<typeof ICAL.Component>;
  try {
    const parsed: unknown = ICAL.parse(text);
    root = new ICAL.Component(parsed as unknown[]);
  } catch (error) {
    throw new IcsImportError('file', `The file is not iCalendar (RFC 5545): ${(error as Error).message}`);
  }
  if (root.name !== 'vcalendar') throw new IcsImportError('file', 'The file holds no VCALENDAR');
  const events = root.getAllSubcomponents('vevent');
  if (events.length > ICS_MAX_EVENTS)
    throw new IcsImportError('file', `The file has ${events.length} events; at most ${ICS_MAX_EVENTS} are read`);
  const zones = root.getAllSubcomponents('vtimezone').map((zone) => {
    ICAL.TimezoneService.register(zone);
    return String(zone.getFirstPropertyValue('tzid'));
  });
  const startYear = from.getUTCFullYear();
  const horizonStart = ICAL.Time.fromData({ year: startYear, month: 1, day: 1, isDate: true });
  const horizonEnd = ICAL.Time.fromData({ year: startYear + ICS_HORIZON_YEARS, month: 1, day: 1, isDate: true });
  const holidays = new Map<string, Holiday>();
  const closures: Closure[] = [];
  const count = () => holidays.size + closures.length;
  try {
    events.forEach((component, index) => {
      const field = `VEVENT[${index}]`;
      try {
        if (String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') return;
        const event = new ICAL.Event(component);
        const name = (event.summary || 'Holiday').trim().slice(0, 200) || 'Holiday';
        if (!component.hasProperty('dtstart')) throw new IcsImportError(`${field}.DTSTART`, `${field} has no DTSTART`);
        const start = event.startDate;
        if (!start || Number.isNaN(start.toUnixTime()))
          throw new IcsImportError(`${field}.DTSTART`, `${field}.DTSTART is not a date`);
        const add = (occurrenceStart: Time, occurrenceEnd: Time | null) => {
          if (occurrenceStart.isDate) {
            const end = occurrenceEnd && occurrenceEnd.compare(occurrenceStart) > 0 ? occurrenceEnd.clone() : null;
            const last = end ?? occurrenceStart.clone();
            if (end) last.adjust(-1, 0, 0, 0);
            if (last.compare(occurrenceStart) <= 0) {
              const date = dateOf(occurrenceStart);
              if (!holidays.has(date)) holidays.set(date, { date, name });
            } else closures.push({ start: dateOf(occurrenceStart), end: dateOf(last), name });
          } else {
            const end = occurrenceEnd ?? occurrenceStart;
            if (end.compare(occurrenceStart) <= 0) return; // a moment, not a closure
            const tzid = (start as Time).timezone;
            closures.push({ start: timedBound(occurrenceStart, tzid), end: timedBound(end, tzid), name });
          }
          if (count() > ICS_MAX_ENTRIES)
            throw new IcsImportError(field, `The file makes more than ${ICS_MAX_ENTRIES} holidays and closures`);
        };
        const rule = component.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur> | null;
        const oneDay =
          start.isDate &&
          (!component.hasProperty('dtend') ||
            event.endDate.compare(start) <= 0 ||
            event.duration.toSeconds() <= 86_400);
        if (start.isDate && oneDay && plainlyYearly(rule, start) && !component.hasProperty('exdate')) {
          const date = `${pad(start.month)}-${pad(start.day)}`;
          if (!holidays.has(date)) holidays.set(date, { date, name });
          return;
        }
        if (!event.isRecurring()) {
          add(start, component.hasProperty('dtend') || component.hasProperty('duration') ? event.endDate : null);
          return;
        }
        const iterator = event.iterator();
        for (let next = iterator.next(), steps = 0; next; next = iterator.next(), steps++) {
          if (steps > 10 * ICS_MAX_ENTRIES + 5000)
            throw new IcsImportError(`${field}.RRULE`, `${field}.RRULE repeats too often to expand`);
          if (next.compare(horizonEnd) >= 0) break;
          const details = event.getOccurrenceDetails(next) as { startDate: Time; endDate: Time };
          if (details.endDate.compare(horizonStart) <= 0) continue;
          add(details.startDate, details.endDate);
        }
      } catch (error) {
        if (error instanceof IcsImportError) throw error;
        throw new IcsImportError(field, `${field} could not be read: ${(error as Error).message}`);
      }
    });
  } finally {
    for (const tzid of zones) ICAL.TimezoneService.remove(tzid);
  }
  return { holidays: [...holidays.values()], closures };
}
