import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusinessCalendar } from './business-calendar';
import { ICS_MAX_BYTES, importIcs, IcsImportError } from './ics-import';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const from = new Date('2026-06-01T00:00:00Z');

function failure(run: () => unknown): IcsImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof IcsImportError) return error;
    throw error;
  }
  throw new Error('no IcsImportError');
}

describe('importIcs', () => {
  it('reads all-day events: a plain yearly rule as MM-DD, other rules expanded, several days as a closure', () => {
    const { holidays, closures } = importIcs(fixture('holidays.ics'), from);
    expect(holidays).toEqual(
      expect.arrayContaining([
        { date: '12-25', name: 'Christmas Day' },
        { date: '2026-11-26', name: 'Thanksgiving' },
        { date: '2027-11-25', name: 'Thanksgiving' },
        { date: '2028-11-23', name: 'Thanksgiving' },
        { date: '2026-12-24', name: 'Christmas Eve' },
      ]),
    );
    // Thanksgiving from the start of 2026 for three years; the cancelled event is left out.
    expect(holidays.filter((h) => h.name === 'Thanksgiving')).toHaveLength(3);
    expect(holidays.some((h) => h.name === 'Called off')).toBe(false);
    expect(closures).toEqual([{ start: '2026-12-28', end: '2026-12-31', name: 'Inventory week' }]);
  });

  it('reads timed events as closures: its own VTIMEZONE, an IANA TZID, UTC, floating local time, weekly rules', () => {
    const { holidays, closures } = importIcs(fixture('closures.ics'), from);
    expect(holidays).toEqual([]);
    expect(closures).toEqual([
      // Windows zone name, defined by the file's VTIMEZONE: EST in December.
      { start: '2026-12-09T17:00:00.000Z', end: '2026-12-09T19:00:00.000Z', name: 'Staff meeting' },
      { start: '2026-07-01T08:00:00.000Z', end: '2026-07-01T09:30:00.000Z', name: 'Training' },
      { start: '2026-07-08T08:00:00.000Z', end: '2026-07-08T09:30:00.000Z', name: 'Training' },
      { start: '2026-07-15T08:00:00.000Z', end: '2026-07-15T09:30:00.000Z', name: 'Training' },
      { start: '2026-03-10T15:00:00.000Z', end: '2026-03-10T16:00:00.000Z', name: 'Fire drill' },
      // No zone in the file: the calendar's own zone reads it.
      { start: '2026-04-02T08:00', end: '2026-04-02T10:00', name: 'Floating' },
    ]);
  });

  it('gives a calendar what it needs: the imported days are closed', () => {
    const imported = importIcs(fixture('holidays.ics'), from);
    const calendar = new BusinessCalendar({
      timeZone: 'America/New_York',
      weekly: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => ({
        day: day as 'monday',
        start: '09:00',
        end: '17:00',
      })),
      ...imported,
    });
    expect(calendar.isOpenAt(new Date('2026-11-26T15:00:00Z'))).toBe(false);
    expect(calendar.nextOpening(new Date('2026-12-24T12:00:00Z'))?.toISOString()).toBe('2027-01-01T14:00:00.000Z');
  });

  it('refuses a malformed file, naming what is wrong', () => {
    expect(failure(() => importIcs(fixture('malformed.ics'), from)).field).toBe('file');
    expect(failure(() => importIcs('hello, world', from)).field).toBe('file');
    const badDate = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026XX\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(failure(() => importIcs(badDate, from)).field).toMatch(/^VEVENT\[0\]/);
    const noStart = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(failure(() => importIcs(noStart, from)).field).toBe('VEVENT[0].DTSTART');
    expect(failure(() => importIcs('BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n', from)).field).toBe('file');
  });

  it('refuses a huge file, and one that expands into too many days', () => {
    const event = (i: number) =>
      `BEGIN:VEVENT\r\nUID:${i}\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:${'x'.repeat(200)}\r\nEND:VEVENT\r\n`;
    const huge = `BEGIN:VCALENDAR\r\n${Array.from({ length: 5000 }, (_, i) => event(i)).join('')}END:VCALENDAR\r\n`;
    expect(Buffer.byteLength(huge)).toBeGreaterThan(ICS_MAX_BYTES);
    expect(failure(() => importIcs(huge, from)).message).toContain(`${ICS_MAX_BYTES} bytes`);
    const daily =
      'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Every day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(failure(() => importIcs(daily, from)).field).toBe('VEVENT[0]');
  });
});
