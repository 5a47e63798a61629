import { BusinessCalendar, InvalidCalendarDefinition } from './business-calendar';
import { CalendarDefinition, calendarProblems, WeeklyPeriod, Weekday, resolveWallTime } from './calendar-definition';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

const WEEKDAYS_MON_FRI: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const ALL_DAYS: Weekday[] = [...WEEKDAYS_MON_FRI, 'saturday', 'sunday'];
const every = (days: Weekday[], start: string, end: string): WeeklyPeriod[] => days.map((day) => ({ day, start, end }));

function calendar(partial: Partial<CalendarDefinition> & Pick<CalendarDefinition, 'timeZone'>): BusinessCalendar {
  return new BusinessCalendar({ weekly: [], holidays: [], closures: [], ...partial });
}

describe('BusinessCalendar', () => {
  describe('America/New_York across DST', () => {
    it('spring forward: a Sunday 01:00–04:00 holds two real hours (02:00–03:00 does not exist)', () => {
      const c = calendar({ timeZone: 'America/New_York', weekly: [{ day: 'sunday', start: '01:00', end: '04:00' }] });
      // 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z.
      expect(c.businessMillisBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(2 * HOUR);
      expect(iso(c.nextOpening(at('2026-03-07T12:00:00Z')))).toBe('2026-03-08T06:00:00.000Z');
      expect(iso(c.nextClosing(at('2026-03-08T06:30:00Z')))).toBe('2026-03-08T08:00:00.000Z');
      // The week before, the same hours are three real hours.
      expect(c.businessMillisBetween(at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'))).toBe(3 * HOUR);
    });

    it('a period inside the gap is empty that day; one ending in it closes at the jump', () => {
      const inGap = calendar({
        timeZone: 'America/New_York',
        weekly: [{ day: 'sunday', start: '02:00', end: '03:00' }],
      });
      expect(inGap.businessMillisBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(0);
      expect(iso(inGap.nextOpening(at('2026-03-08T00:00:00Z')))).toBe('2026-03-15T06:00:00.000Z');
      const intoGap = calendar({
        timeZone: 'America/New_York',
        weekly: [{ day: 'sunday', start: '01:30', end: '02:30' }],
      });
      // 01:30 EST (06:30Z) until the clock jumps from 02:00 EST to 03:00 EDT (07:00Z).
      expect(iso(intoGap.nextClosing(at('2026-03-08T06:45:00Z')))).toBe('2026-03-08T07:00:00.000Z');
      expect(intoGap.businessMillisBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(30 * MINUTE);
    });

    it('a start in the gap opens at the jump', () => {
      const c = calendar({ timeZone: 'America/New_York', weekly: [{ day: 'sunday', start: '02:30', end: '05:00' }] });
      expect(iso(c.nextOpening(at('2026-03-08T00:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
      expect(c.isOpenAt(at('2026-03-08T06:59:59.999Z'))).toBe(false);
      expect(c.isOpenAt(at('2026-03-08T07:00:00Z'))).toBe(true);
    });

    it('fall back: 00:00–03:00 holds four real hours; the repeated hour counts once as elapsed time', () => {
      const c = calendar({ timeZone: 'America/New_York', weekly: [{ day: 'sunday', start: '00:00', end: '03:00' }] });
      // 00:00 EDT = 04:00Z, 03:00 EST = 08:00Z.
      expect(c.businessMillisBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(4 * HOUR);
      expect(c.isOpenAt(at('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
      expect(c.isOpenAt(at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST
      expect(iso(c.nextClosing(at('2026-11-01T04:00:00Z')))).toBe('2026-11-01T08:00:00.000Z');
    });

    it('fall back: a period ending inside the repeated hour ends at its later occurrence', () => {
      const c = calendar({ timeZone: 'America/New_York', weekly: [{ day: 'sunday', start: '01:00', end: '01:30' }] });
      // From 01:00 EDT (05:00Z) to the second 01:30, EST (06:30Z).
      expect(iso(c.nextOpening(at('2026-11-01T00:00:00Z')))).toBe('2026-11-01T05:00:00.000Z');
      expect(iso(c.nextClosing(at('2026-11-01T05:00:00Z')))).toBe('2026-11-01T06:30:00.000Z');
    });

    it('resolves wall times to the instants the clock reads them', () => {
      const wall = (s: string) => Date.parse(`${s}Z`);
      expect(resolveWallTime('America/New_York', wall('2026-07-01T09:00'))).toEqual({
        first: Date.parse('2026-07-01T13:00:00Z'),
        last: Date.parse('2026-07-01T13:00:00Z'),
      });
      expect(resolveWallTime('America/New_York', wall('2026-11-01T01:30'))).toEqual({
        first: Date.parse('2026-11-01T05:30:00Z'),
        last: Date.parse('2026-11-01T06:30:00Z'),
      });
      const gap = Date.parse('2026-03-08T07:00:00Z');
      expect(resolveWallTime('America/New_York', wall('2026-03-08T02:30'))).toEqual({ first: gap, last: gap });
    });
  });

  describe('Europe/London across DST', () => {
    const london = calendar({ timeZone: 'Europe/London', weekly: every(ALL_DAYS, '00:00', '24:00') });

    it('a spring-forward day has 23 open hours and a fall-back day 25', () => {
      expect(london.businessMillisBetween(at('2026-03-29T00:00:00Z'), at('2026-03-29T23:00:00Z'))).toBe(23 * HOUR);
      expect(london.businessMillisBetween(at('2026-10-24T23:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(25 * HOUR);
      expect(london.nextClosing(at('2026-03-29T00:30:00Z'))).toBeNull();
    });

    it('office hours over the change weekend count the real elapsed time', () => {
      const office = calendar({ timeZone: 'Europe/London', weekly: every(WEEKDAYS_MON_FRI, '09:00', '17:00') });
      // Friday 16:00 GMT → Monday 10:00 BST (09:00Z): one hour each side.
      expect(office.businessMillisBetween(at('2026-03-27T16:00:00Z'), at('2026-03-30T09:00:00Z'))).toBe(2 * HOUR);
      expect(iso(office.nextOpening(at('2026-03-27T17:00:00Z')))).toBe('2026-03-30T08:00:00.000Z');
      expect(iso(office.nextOpening(at('2026-10-23T17:00:00Z')))).toBe('2026-10-26T09:00:00.000Z');
    });
  });

  describe('zones without DST', () => {
    it('Asia/Shanghai (+08:00) with a lunch closure', () => {
      const c = calendar({
        timeZone: 'Asia/Shanghai',
        weekly: [...every(WEEKDAYS_MON_FRI, '09:00', '12:00'), ...every(WEEKDAYS_MON_FRI, '13:00', '18:00')],
      });
      expect(c.isOpenAt(at('2026-12-02T03:59:59Z'))).toBe(true); // 11:59:59
      expect(c.isOpenAt(at('2026-12-02T04:30:00Z'))).toBe(false); // lunch
      expect(iso(c.nextOpening(at('2026-12-02T04:00:00Z')))).toBe('2026-12-02T05:00:00.000Z');
      expect(c.businessMillisBetween(at('2026-12-01T16:00:00Z'), at('2026-12-02T16:00:00Z'))).toBe(8 * HOUR);
      // Same answer in March, when other zones change their clocks.
      expect(c.businessMillisBetween(at('2026-03-08T16:00:00Z'), at('2026-03-09T16:00:00Z'))).toBe(8 * HOUR);
    });

    it('Asia/Tehran (+03:30), open Saturday to Wednesday', () => {
      const c = calendar({
        timeZone: 'Asia/Tehran',
        weekly: every(['saturday', 'sunday', 'monday', 'tuesday', 'wednesday'], '08:00', '16:00'),
      });
      expect(c.isOpenAt(at('2026-12-02T04:29:59.999Z'))).toBe(false);
      expect(c.isOpenAt(at('2026-12-02T04:30:00Z'))).toBe(true); // 08:00 local
      expect(c.isOpenAt(at('2026-12-02T12:30:00Z'))).toBe(false); // 16:00 local
      // Wednesday 16:00 → Saturday 08:00 (Thursday and Friday closed).
      expect(iso(c.nextOpening(at('2026-12-02T12:30:00Z')))).toBe('2026-12-05T04:30:00.000Z');
      expect(c.businessMillisBetween(at('2026-03-20T00:00:00Z'), at('2026-03-27T00:00:00Z'))).toBe(5 * 8 * HOUR);
    });
  });

  describe('periods, holidays and closures', () => {
    const office = (extra: Partial<CalendarDefinition> = {}) =>
      calendar({ timeZone: 'America/New_York', weekly: every(WEEKDAYS_MON_FRI, '09:00', '17:00'), ...extra });

    it('is open exactly at opening and closed exactly at closing', () => {
      const c = office();
      // Wednesday 2 December 2026, EST (-05:00).
      expect(c.isOpenAt(at('2026-12-02T14:00:00Z'))).toBe(true);
      expect(c.isOpenAt(at('2026-12-02T13:59:59.999Z'))).toBe(false);
      expect(c.isOpenAt(at('2026-12-02T21:59:59.999Z'))).toBe(true);
      expect(c.isOpenAt(at('2026-12-02T22:00:00Z'))).toBe(false);
      expect(iso(c.nextOpening(at('2026-12-02T14:00:00Z')))).toBe('2026-12-02T14:00:00.000Z');
      expect(iso(c.nextClosing(at('2026-12-02T14:00:00Z')))).toBe('2026-12-02T22:00:00.000Z');
      expect(iso(c.nextClosing(at('2026-12-02T22:00:00Z')))).toBe('2026-12-02T22:00:00.000Z');
      expect(iso(c.nextOpening(at('2026-12-02T22:00:00Z')))).toBe('2026-12-03T14:00:00.000Z');
    });

    it('pauses over a weekend: Friday 16:00 → Monday 10:00 is two business hours', () => {
      const c = office();
      expect(c.businessMillisBetween(at('2026-12-04T21:00:00Z'), at('2026-12-07T15:00:00Z'))).toBe(2 * HOUR);
      expect(iso(c.addBusinessMillis(at('2026-12-04T21:00:00Z'), 2 * HOUR))).toBe('2026-12-07T15:00:00.000Z');
      expect(c.businessMillisBetween(at('2026-12-07T15:00:00Z'), at('2026-12-04T21:00:00Z'))).toBe(-2 * HOUR);
    });

    it('split shifts: 09:00–13:00 and 16:00–20:00', () => {
      const c = office({ weekly: [...every(['monday'], '09:00', '13:00'), ...every(['monday'], '16:00', '20:00')] });
      expect(c.isOpenAt(at('2026-12-07T19:00:00Z'))).toBe(false); // 14:00
      expect(iso(c.nextOpening(at('2026-12-07T18:00:00Z')))).toBe('2026-12-07T21:00:00.000Z');
      expect(c.businessMillisBetween(at('2026-12-07T05:00:00Z'), at('2026-12-08T05:00:00Z'))).toBe(8 * HOUR);
      // One hour before the break plus two after it.
      expect(iso(c.addBusinessMillis(at('2026-12-07T17:00:00Z'), 3 * HOUR))).toBe('2026-12-07T23:00:00.000Z');
    });

    it('periods touching at midnight join: 22:00–24:00 and 00:00–02:00 the next day', () => {
      const c = office({
        weekly: [
          { day: 'monday', start: '22:00', end: '24:00' },
          { day: 'tuesday', start: '00:00', end: '02:00' },
        ],
      });
      expect(c.isOpenAt(at('2026-12-08T05:00:00Z'))).toBe(true); // Tuesday 00:00
      expect(iso(c.nextClosing(at('2026-12-08T04:00:00Z')))).toBe('2026-12-08T07:00:00.000Z');
    });

    it('holidays close whole days, dated once or every year', () => {
      const c = office({
        holidays: [
          { date: '2026-12-24', name: 'Christmas Eve' },
          { date: '12-25', name: 'Christmas Day' },
          { date: '01-01', name: "New Year's Day" },
        ],
      });
      // Thursday 24 and Friday 25 December 2026 closed, then the weekend.
      expect(iso(c.nextOpening(at('2026-12-24T12:00:00Z')))).toBe('2026-12-28T14:00:00.000Z');
      // The yearly holiday again in 2027 (Friday 1 January) and 2031 (Wednesday); the dated one only once.
      expect(iso(c.nextOpening(at('2027-01-01T12:00:00Z')))).toBe('2027-01-04T14:00:00.000Z');
      expect(c.isOpenAt(at('2031-01-01T15:00:00Z'))).toBe(false);
      expect(c.isOpenAt(at('2027-12-24T15:00:00Z'))).toBe(true);
    });

    it('a multi-day closure by local dates, ends inclusive', () => {
      const c = office({
        holidays: [{ date: '01-01', name: "New Year's Day" }],
        closures: [{ start: '2026-12-28', end: '2026-12-31', name: 'Inventory' }],
      });
      expect(c.isOpenAt(at('2026-12-31T20:00:00Z'))).toBe(false);
      expect(iso(c.nextOpening(at('2026-12-28T00:00:00Z')))).toBe('2027-01-04T14:00:00.000Z');
      expect(c.businessMillisBetween(at('2026-12-21T00:00:00Z'), at('2027-01-09T00:00:00Z'))).toBe(10 * 8 * HOUR);
    });

    it('a partial-day closure, in local time or as instants', () => {
      const local = office({
        closures: [{ start: '2026-12-09T12:00', end: '2026-12-09T14:00', name: 'Staff meeting' }],
      });
      const instants = office({ closures: [{ start: '2026-12-09T17:00:00Z', end: '2026-12-09T14:00:00-05:00' }] });
      for (const c of [local, instants]) {
        expect(c.isOpenAt(at('2026-12-09T17:30:00Z'))).toBe(false);
        expect(iso(c.nextOpening(at('2026-12-09T17:00:00Z')))).toBe('2026-12-09T19:00:00.000Z');
        expect(c.businessMillisBetween(at('2026-12-09T05:00:00Z'), at('2026-12-10T05:00:00Z'))).toBe(6 * HOUR);
      }
    });

    it('addBusinessMillis lands on a closing time when the budget runs out there, and skips closed time otherwise', () => {
      const c = office();
      expect(iso(c.addBusinessMillis(at('2026-12-02T14:00:00Z'), 8 * HOUR))).toBe('2026-12-02T22:00:00.000Z');
      expect(iso(c.addBusinessMillis(at('2026-12-02T14:00:00Z'), 8 * HOUR + 1))).toBe('2026-12-03T14:00:00.001Z');
      expect(iso(c.addBusinessMillis(at('2026-12-02T23:00:00Z'), 0))).toBe('2026-12-02T23:00:00.000Z');
      expect(() => c.addBusinessMillis(at('2026-12-02T23:00:00Z'), -1)).toThrow(RangeError);
    });
  });

  describe('bounded searches', () => {
    it('a calendar with no open time answers null within the horizon instead of looping', () => {
      const never = calendar({ timeZone: 'Europe/London' });
      const started = Date.now();
      expect(never.nextOpening(at('2026-12-02T12:00:00Z'))).toBeNull();
      expect(never.addBusinessMillis(at('2026-12-02T12:00:00Z'), MINUTE)).toBeNull();
      expect(iso(never.nextClosing(at('2026-12-02T12:00:00Z')))).toBe('2026-12-02T12:00:00.000Z');
      expect(never.isOpenAt(at('2026-12-02T12:00:00Z'))).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('open every hour: never closes within the horizon, and business time is elapsed time', () => {
      const always = BusinessCalendar.alwaysOpen('America/New_York');
      expect(always.nextClosing(at('2026-12-02T12:00:00Z'))).toBeNull();
      expect(always.businessMillisBetween(at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toBe(31 * 24 * HOUR);
      expect(iso(always.addBusinessMillis(at('2026-03-07T12:00:00Z'), 48 * HOUR))).toBe('2026-03-09T12:00:00.000Z');
    });
  });

  it('addBusinessMillis is the inverse of businessMillisBetween (random instants, fixed seed)', () => {
    let seed = 20261202;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const c = calendar({
      timeZone: 'America/New_York',
      weekly: [
        ...every(WEEKDAYS_MON_FRI, '09:00', '12:30'),
        ...every(WEEKDAYS_MON_FRI, '13:30', '18:00'),
        { day: 'saturday', start: '10:00', end: '14:00' },
        { day: 'sunday', start: '01:00', end: '03:00' }, // across both DST changes
      ],
      holidays: [
        { date: '07-04', name: 'Independence Day' },
        { date: '2026-11-26', name: 'Thanksgiving' },
      ],
      closures: [{ start: '2026-03-10T11:00', end: '2026-03-12T10:00' }],
    });
    const start = Date.parse('2026-01-01T00:00:00Z');
    const span = 365 * 24 * HOUR;
    for (let i = 0; i < 300; i++) {
      const from = new Date(start + Math.floor(random() * span));
      const millis = Math.floor(random() * 60 * HOUR);
      const due = c.addBusinessMillis(from, millis)!;
      expect({ i, millis: c.businessMillisBetween(from, due) }).toEqual({ i, millis });
      // The earliest such instant: open just before it (unless nothing was asked for).
      if (millis > 0) expect({ i, open: c.isOpenAt(new Date(due.getTime() - 1)) }).toEqual({ i, open: true });
      const later = new Date(from.getTime() + Math.floor(random() * 30 * 24 * HOUR));
      const back = c.addBusinessMillis(from, c.businessMillisBetween(from, later))!;
      expect(back.getTime()).toBeLessThanOrEqual(later.getTime());
      if (c.isOpenAt(later)) expect(back.getTime()).toBe(later.getTime());
    }
  });

  describe('definition problems name the field', () => {
    const problems = (partial: Partial<CalendarDefinition>) =>
      calendarProblems({ timeZone: 'Europe/London', weekly: [], holidays: [], closures: [], ...partial });

    it.each([
      ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      ['an inverted period', { weekly: [{ day: 'monday', start: '17:00', end: '09:00' }] }, 'weekly[0].end'],
      ['an overnight period', { weekly: [{ day: 'monday', start: '22:00', end: '02:00' }] }, 'weekly[0].end'],
      ['an empty period', { weekly: [{ day: 'monday', start: '09:00', end: '09:00' }] }, 'weekly[0].end'],
      ['a bad time', { weekly: [{ day: 'monday', start: '9:00', end: '17:00' }] }, 'weekly[0].start'],
      ['25:00', { weekly: [{ day: 'monday', start: '09:00', end: '25:00' }] }, 'weekly[0].end'],
      ['an unknown day', { weekly: [{ day: 'funday', start: '09:00', end: '17:00' }] }, 'weekly[0].day'],
      [
        'overlapping periods',
        {
          weekly: [
            { day: 'monday', start: '09:00', end: '13:00' },
            { day: 'tuesday', start: '09:00', end: '13:00' },
            { day: 'monday', start: '12:00', end: '17:00' },
          ],
        },
        'weekly[2]',
      ],
      ['a date that does not exist', { holidays: [{ date: '2026-02-30', name: 'Nope' }] }, 'holidays[0].date'],
      [
        'a duplicate holiday date',
        {
          holidays: [
            { date: '12-25', name: 'Christmas' },
            { date: '12-25', name: 'Christmas again' },
          ],
        },
        'holidays[1].date',
      ],
      ['a holiday without a name', { holidays: [{ date: '12-25', name: ' ' }] }, 'holidays[0].name'],
      ['an inverted closure', { closures: [{ start: '2026-12-10', end: '2026-12-09' }] }, 'closures[0].end'],
      ['an unreadable closure', { closures: [{ start: 'soon', end: '2026-12-09' }] }, 'closures[0].start'],
    ])('%s', (_, partial, field) => {
      expect(problems(partial as Partial<CalendarDefinition>).map((p) => p.field)).toEqual([field]);
    });

    it('accepts touching periods, 24:00 and 02-29, and the engine refuses what it would not accept', () => {
      expect(
        problems({
          weekly: [
            { day: 'monday', start: '09:00', end: '12:00' },
            { day: 'monday', start: '12:00', end: '24:00' },
          ],
          holidays: [{ date: '02-29', name: 'Leap day' }],
        }),
      ).toEqual([]);
      expect(() => calendar({ timeZone: 'Nowhere/Special' })).toThrow(InvalidCalendarDefinition);
    });
  });
});
