import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { CalendarService } from '@readerdesk/calendars';
import { Clock, libraryScope } from '@readerdesk/platform';
import { Department } from '@readerdesk/staff';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;
const fixture = (name: string) => readFileSync(join(__dirname, '../libs/calendars/src/fixtures', name), 'utf8');

describeWithDatabase('opening-hours calendars over HTTP', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let agent: { Authorization: string };
  let central: string;
  let lakeside: string;
  let reference: string;
  let circulation: string;
  let otherBranch: string;
  let otherDepartment: string;
  let otherLibrary: string;

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    agent = await desk.signIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    const branches = (await desk.http.get('/api/v1/branches').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    central = branches.find((b) => b.code === 'central')!.id;
    lakeside = branches.find((b) => b.code === 'lakeside')!.id;
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    reference = departments.find((d) => d.code === 'reference')!.id;
    circulation = departments.find((d) => d.code === 'circulation')!.id;
    const data = new TestData(desk.database);
    const other = await data.library({ name: 'Elsewhere' });
    otherLibrary = other.id;
    otherBranch = (await data.branch(other, { name: 'Elsewhere Main' })).id;
    otherDepartment = (await data.department(other, { name: 'Elsewhere Reference' })).id;
    // The other library has hours of its own, which nobody here may read or change.
    await desk.app
      .get(CalendarService)
      .replace(
        libraryScope(other.id),
        { branchId: otherBranch },
        { weekly: [{ day: 'monday', start: '08:00', end: '09:00' }] },
      );
  });
  afterAll(async () => desk?.close());

  it("seeds the demo branches with opening hours; departments follow their branch's", async () => {
    const res = await desk.http.get(`/api/v1/branches/${central}/calendar`).set(agent).expect(200);
    expect(res.body).toMatchObject({
      branchId: central,
      configured: true,
      source: 'own',
      timeZone: 'America/New_York',
      storedTimeZone: null,
    });
    expect(res.body.weekly).toContainEqual({ day: 'monday', start: '09:00', end: '20:00' });
    expect(res.body.holidays).toContainEqual({ date: '12-25', name: 'Christmas Day' });
    const lake = await desk.http.get(`/api/v1/branches/${lakeside}/calendar`).set(agent).expect(200);
    expect(lake.body.timeZone).toBe('America/Chicago');
    const department = await desk.http.get(`/api/v1/departments/${circulation}/calendar`).set(agent).expect(200);
    expect(department.body).toMatchObject({
      departmentId: circulation,
      configured: false,
      source: 'branch',
      sourceBranchId: central,
      timeZone: 'America/New_York',
    });
  });

  it('answers is-open, next opening and business time, a pause over the weekend included', async () => {
    const base = `/api/v1/branches/${central}/calendar`;
    // Monday 7 December 2026, 10:00 EST.
    const open = await desk.http.get(`${base}/open`).query({ at: '2026-12-07T15:00:00Z' }).set(agent).expect(200);
    expect(open.body).toEqual({
      at: '2026-12-07T15:00:00.000Z',
      open: true,
      nextOpening: '2026-12-07T15:00:00.000Z',
      nextClosing: '2026-12-08T01:00:00.000Z',
      timeZone: 'America/New_York',
      source: 'own',
    });
    // Christmas Day is a yearly holiday: Friday 25 → Saturday 26 December 10:00 EST.
    const next = await desk.http
      .get(`${base}/next-opening`)
      .query({ after: '2026-12-25T12:00:00Z' })
      .set(agent)
      .expect(200);
    expect(next.body.nextOpening).toBe('2026-12-26T15:00:00.000Z');
    // Friday 16:00 → Monday 10:00: Fri 2 h + Sat 7 h + Sun 4 h + Mon 1 h.
    const time = await desk.http
      .get(`${base}/business-time`)
      .query({ from: '2026-12-04T21:00:00Z', to: '2026-12-07T15:00:00Z' })
      .set(agent)
      .expect(200);
    expect(time.body).toMatchObject({ businessMillis: 14 * HOUR, businessMinutes: 14 * 60 });
  });

  it('refuses bad instants and ranges in queries, naming the parameter', async () => {
    const base = `/api/v1/branches/${central}/calendar`;
    const noOffset = await desk.http.get(`${base}/open`).query({ at: '2026-12-07T10:00' }).set(agent).expect(400);
    expect(noOffset.body).toMatchObject({ code: 'invalid_date' });
    expect(noOffset.body.detail).toMatch(/^at /);
    const backwards = await desk.http
      .get(`${base}/business-time`)
      .query({ from: '2026-12-07T15:00:00Z', to: '2026-12-04T21:00:00Z' })
      .set(agent)
      .expect(400);
    expect(backwards.body.code).toBe('invalid_date_range');
    await desk.http.get(`${base}/business-time`).query({ from: '2026-12-07T15:00:00Z' }).set(agent).expect(400);
  });

  it.each([
    [
      'overlapping periods',
      {
        weekly: [
          { day: 'monday', start: '09:00', end: '13:00' },
          { day: 'monday', start: '12:00', end: '17:00' },
        ],
      },
      'weekly[1]',
    ],
    ['an inverted period', { weekly: [{ day: 'monday', start: '17:00', end: '09:00' }] }, 'weekly[0].end'],
    ['a bad HH:mm', { weekly: [{ day: 'monday', start: '9am', end: '17:00' }] }, 'weekly[0].start'],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons', weekly: [] }, 'timeZone'],
    [
      'duplicate holiday dates',
      {
        weekly: [],
        holidays: [
          { date: '2026-12-24', name: 'Eve' },
          { date: '2026-12-24', name: 'Eve again' },
        ],
      },
      'holidays[1].date',
    ],
    ['an inverted closure', { weekly: [], closures: [{ start: '2026-12-10', end: '2026-12-09' }] }, 'closures[0].end'],
  ])('refuses %s with 400 naming the field, and keeps the stored hours', async (_, body, field) => {
    const res = await desk.http.put(`/api/v1/branches/${lakeside}/calendar`).set(admin).send(body).expect(400);
    expect(res.body.code).toBe('invalid_calendar');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(res.body.detail).toContain(field);
    const stored = await desk.http.get(`/api/v1/branches/${lakeside}/calendar`).set(agent).expect(200);
    expect(stored.body.weekly).toContainEqual({ day: 'monday', start: '14:00', end: '18:00' });
  });

  it('refuses a body of the wrong shape before the service sees it', async () => {
    const res = await desk.http
      .put(`/api/v1/branches/${lakeside}/calendar`)
      .set(admin)
      .send({ weekly: 'always' })
      .expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors[0].field).toBe('weekly');
  });

  it("sets a department's own hours in its own zone, answers by them at once, and removes them again", async () => {
    const base = `/api/v1/departments/${reference}/calendar`;
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const put = await desk.http
      .put(base)
      .set(admin)
      .send({ timeZone: 'Europe/London', weekly: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })) })
      .expect(200);
    expect(put.body).toMatchObject({ configured: true, source: 'own', timeZone: 'Europe/London' });
    // Friday 16:00 → Monday 10:00 London: one hour each side of the weekend.
    const time = await desk.http
      .get(`${base}/business-time`)
      .query({ from: '2026-12-04T16:00:00Z', to: '2026-12-07T10:00:00Z' })
      .set(agent)
      .expect(200);
    expect(time.body.businessMillis).toBe(2 * HOUR);
    // Across the spring change in London (Friday 27 March 16:00 GMT → Monday 30 March 10:00 BST).
    const dst = await desk.http
      .get(`${base}/business-time`)
      .query({ from: '2026-03-27T16:00:00Z', to: '2026-03-30T09:00:00Z' })
      .set(agent)
      .expect(200);
    expect(dst.body.businessMillis).toBe(2 * HOUR);
    // What SLA clocks will ask for: the service's answer follows the change at once (no stale cache).
    const calendar = await desk.app.get(CalendarService).forDepartment(libraryScope(await libraryOf()), reference);
    expect(calendar.timeZone).toBe('Europe/London');
    expect(calendar.isOpenAt(new Date('2026-12-07T18:00:00Z'))).toBe(false); // 18:00 London, 13:00 New York

    const removed = await desk.http.delete(base).set(admin).expect(200);
    expect(removed.body).toMatchObject({ configured: false, source: 'branch', timeZone: 'America/New_York' });
    const open = await desk.http.get(`${base}/open`).query({ at: '2026-12-07T15:00:00Z' }).set(agent).expect(200);
    expect(open.body).toMatchObject({ open: true, source: 'branch' });
  });

  async function libraryOf(): Promise<string> {
    return ((await desk.http.get('/api/v1/library').set(admin).expect(200)).body as { id: string }).id;
  }

  describe('a department in a branch', () => {
    // Sunday 6 December 2026, 15:30 UTC: 08:30 in Denver, 10:30 in New York (Central opens at 13:00).
    const sunday = '2026-12-06T15:30:00Z';
    let harbour: string;
    let department: string;

    beforeAll(async () => {
      harbour = (
        await desk.http
          .post('/api/v1/branches')
          .set(admin)
          .send({ code: 'harbour-hours', name: 'Harbour', timeZone: 'America/Denver' })
          .expect(201)
      ).body.id as string;
      department = (
        await desk.http
          .post('/api/v1/departments')
          .set(admin)
          .send({ code: 'harbour-desk', name: 'Harbour desk', branchId: harbour })
          .expect(201)
      ).body.id as string;
    });

    it("follows its branch's hours (not the default branch's), then the default branch's, then 24/7 in its branch's zone", async () => {
      const base = `/api/v1/departments/${department}/calendar`;
      const centralHours = await desk.http.get(`/api/v1/branches/${central}/calendar`).set(admin).expect(200);
      await desk.http
        .put(`/api/v1/branches/${harbour}/calendar`)
        .set(admin)
        .send({ weekly: [{ day: 'sunday', start: '08:00', end: '12:00' }] })
        .expect(200);
      try {
        const own = await desk.http.get(base).set(agent).expect(200);
        expect(own.body).toMatchObject({
          configured: false,
          source: 'branch',
          sourceBranchId: harbour,
          timeZone: 'America/Denver',
          weekly: [{ day: 'sunday', start: '08:00', end: '12:00' }],
        });
        const open = await desk.http.get(`${base}/open`).query({ at: sunday }).set(agent).expect(200);
        expect(open.body).toMatchObject({ open: true, source: 'branch', timeZone: 'America/Denver' });

        await desk.http.delete(`/api/v1/branches/${harbour}/calendar`).set(admin).expect(200);
        const fallback = await desk.http.get(base).set(agent).expect(200);
        expect(fallback.body).toMatchObject({
          configured: false,
          source: 'default-branch',
          sourceBranchId: central,
          timeZone: 'America/New_York',
        });
        const closed = await desk.http.get(`${base}/open`).query({ at: sunday }).set(agent).expect(200);
        expect(closed.body).toMatchObject({ open: false, source: 'default-branch' });

        await desk.http.delete(`/api/v1/branches/${central}/calendar`).set(admin).expect(200);
        const always = await desk.http.get(base).set(agent).expect(200);
        expect(always.body).toMatchObject({
          configured: false,
          source: 'always-open',
          sourceBranchId: null,
          timeZone: 'America/Denver',
        });
        const anytime = await desk.http.get(`${base}/open`).query({ at: sunday }).set(agent).expect(200);
        expect(anytime.body).toMatchObject({ open: true, source: 'always-open' });
      } finally {
        const { weekly, holidays, closures } = centralHours.body as Record<string, unknown>;
        await desk.http
          .put(`/api/v1/branches/${central}/calendar`)
          .set(admin)
          .send({ weekly, holidays, closures })
          .expect(200);
      }
    });

    it('forgets what it cached when the department moves, and expires the cache on the injected clock', async () => {
      const base = `/api/v1/departments/${department}/calendar`;
      await desk.http.put(`/api/v1/branches/${harbour}/calendar`).set(admin).send({ weekly: [] }).expect(200);
      expect((await desk.http.get(base).set(agent).expect(200)).body.sourceBranchId).toBe(harbour);
      const moved = await desk.http
        .patch(`/api/v1/departments/${department}`)
        .set(admin)
        .send({ branchId: lakeside })
        .expect(200);
      expect(moved.body.branchId).toBe(lakeside);
      // At once: the cache forgot the library when the move committed.
      expect((await desk.http.get(base).set(agent).expect(200)).body).toMatchObject({
        source: 'branch',
        sourceBranchId: lakeside,
        timeZone: 'America/Chicago',
      });

      // A change the service does not hear of (another process's) is seen once the cache expires, by the desk's clock.
      const clock = desk.app.get(Clock);
      const real = clock.now;
      try {
        let now = Date.now();
        clock.now = () => new Date(now);
        await desk.http.get(base).set(agent).expect(200); // cached from now on
        await desk.database.manager.getRepository(Department).update({ id: department }, { branchId: harbour });
        expect((await desk.http.get(base).set(agent).expect(200)).body.sourceBranchId).toBe(lakeside);
        now += 31_000;
        expect((await desk.http.get(base).set(agent).expect(200)).body.sourceBranchId).toBe(harbour);
      } finally {
        clock.now = real;
      }
    });
  });

  it('imports holidays and closures from an .ics upload, once', async () => {
    const url = `/api/v1/branches/${lakeside}/calendar/holidays/import`;
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//ReaderDesk tests//EN',
      'BEGIN:VEVENT',
      'UID:christmas',
      'DTSTART;VALUE=DATE:20201225',
      'RRULE:FREQ=YEARLY',
      'SUMMARY:Christmas',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:eve',
      'DTSTART;VALUE=DATE:20261224',
      'SUMMARY:Christmas Eve',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:inventory',
      'DTSTART;VALUE=DATE:20261228',
      'DTEND;VALUE=DATE:20270101',
      'SUMMARY:Inventory week',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const upload = () => desk.http.post(url).set(admin).set('Content-Type', 'text/calendar').send(ics);
    const first = await upload().expect(200);
    // Christmas (12-25) was seeded already, with its own name.
    expect(first.body).toMatchObject({ holidaysAdded: 1, closuresAdded: 1, skipped: 1 });
    expect(first.body.calendar.holidays).toEqual(
      expect.arrayContaining([
        { date: '2026-12-24', name: 'Christmas Eve' },
        { date: '12-25', name: 'Christmas Day' },
      ]),
    );
    expect(first.body.calendar.closures).toEqual([{ start: '2026-12-28', end: '2026-12-31', name: 'Inventory week' }]);
    const again = await upload().expect(200);
    expect(again.body).toMatchObject({ holidaysAdded: 0, closuresAdded: 0, skipped: 3 });
    const nextOpening = async (after: string) =>
      (
        await desk.http
          .get(`/api/v1/branches/${lakeside}/calendar/next-opening`)
          .query({ after })
          .set(agent)
          .expect(200)
      ).body.nextOpening as string;
    // Thursday 24 and Friday 25 December closed: Saturday 26 December, 10:00 CST.
    expect(await nextOpening('2026-12-24T12:00:00Z')).toBe('2026-12-26T16:00:00.000Z');
    // Sunday closed, inventory Monday to Thursday, New Year's Day: Saturday 2 January 2027.
    expect(await nextOpening('2026-12-27T12:00:00Z')).toBe('2027-01-02T16:00:00.000Z');
  });

  it('refuses a malformed, huge or mistyped .ics, and an import before any hours are set', async () => {
    const url = `/api/v1/branches/${central}/calendar/holidays/import`;
    const malformed = await desk.http
      .post(url)
      .set(admin)
      .set('Content-Type', 'text/calendar')
      .send(fixture('malformed.ics'))
      .expect(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_ics', errors: [{ field: 'file' }] });
    const huge = await desk.http
      .post(url)
      .set(admin)
      .set('Content-Type', 'text/calendar')
      .send(`BEGIN:VCALENDAR\r\n${'X-FILLER:'.padEnd(1000, 'x')}\r\n`.repeat(1100))
      .expect(413);
    expect(huge.body).toMatchObject({ code: 'ics_too_large', errors: [{ field: 'file' }] });
    // Without Content-Length (chunked): answered while the body is still streaming, once past the limit, not
    // after reading all of it.
    const limit = 20 * 1024 * 1024;
    const streamed = await new Promise<{ status: number; code?: string; sent: number }>((resolve, reject) => {
      const { port } = desk.app.getHttpServer().address() as AddressInfo;
      let sent = 0;
      let answered = false;
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: url,
          method: 'POST',
          headers: { ...admin, 'Content-Type': 'text/calendar', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          answered = true;
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code, sent });
            req.destroy();
          });
        },
      );
      req.on('error', (error) => (answered ? undefined : reject(error)));
      const chunk = Buffer.from(`${'X-FILLER:'.padEnd(64 * 1024 - 2, 'x')}\r\n`);
      const pump = () => {
        while (!answered && sent < limit) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
    expect({ status: streamed.status, code: streamed.code }).toEqual({ status: 413, code: 'ics_too_large' });
    expect(streamed.sent).toBeLessThan(limit);
    const json = await desk.http.post(url).set(admin).send({ ics: 'BEGIN:VCALENDAR' }).expect(415);
    expect(json.body.code).toBe('unsupported_media_type');
    const unconfigured = await desk.http
      .post(`/api/v1/departments/${circulation}/calendar/holidays/import`)
      .set(admin)
      .set('Content-Type', 'text/calendar')
      .send(fixture('holidays.ics'))
      .expect(409);
    expect(unconfigured.body.code).toBe('calendar_not_configured');
  });

  it("answers 404 for another library's branch or department, and changes nothing there", async () => {
    for (const path of [
      `/api/v1/branches/${otherBranch}/calendar`,
      `/api/v1/departments/${otherDepartment}/calendar`,
      `/api/v1/branches/${randomUUID()}/calendar`,
    ]) {
      expect((await desk.http.get(path).set(admin)).status).toBe(404);
      const put = await desk.http.put(path).set(admin).send({ weekly: [] });
      expect({ path, status: put.status, code: put.body.code }).toEqual({ path, status: 404, code: 'not_found' });
      expect((await desk.http.get(`${path}/open`).set(admin)).status).toBe(404);
    }
    const theirs = await desk.app.get(CalendarService).forBranch(libraryScope(otherLibrary), otherBranch);
    expect(theirs.definition.weekly).toEqual([{ day: 'monday', start: '08:00', end: '09:00' }]);
  });

  it('keeps agents and supervisors from changing hours', async () => {
    const res = await desk.http.put(`/api/v1/branches/${central}/calendar`).set(agent).send({ weekly: [] }).expect(403);
    expect(res.body.code).toBe('forbidden');
  });
});
