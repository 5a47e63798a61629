import { AutomaticRepliesService, Conversation, Message } from '@readerdesk/conversations';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import type { INestApplication } from '@nestjs/common';
import { Clock, createHttpApp, DatabaseService, type LibraryScope, libraryScope } from '@readerdesk/platform';
import { CHECK_BATCH, SlaPolicyService, SlaService, SWEEP_BATCH } from '@readerdesk/sla';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { connectConsole, type ConnectedConsole, eventually } from './support/sockets';
import { DeskModule } from '../apps/desk/src/desk.module';
import { createTestApp, TestApp } from './support/test-app';

const MIN = 60_000;

describeWithDatabase('SLA policies and clocks', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let supervisor: { Authorization: string };
  let agent: { Authorization: string };
  let reference: string;
  let inboxId: string;
  let otherPolicy: string;
  let now = Date.now();
  let contacts = 0;

  const row = (id: string) => desk.database.manager.getRepository(Conversation).findOneByOrFail({ id });
  const timeline = (id: string) =>
    desk.database.manager.getRepository(Message).find({ where: { conversationId: id, kind: 'event' } });

  async function contact(): Promise<string> {
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `sla-${++contacts}`,
        handles: [{ kind: 'email', value: `sla.reader${contacts}@example.org` }],
        subject: 'Opening hours?',
        text: 'When are you open?',
      })
      .expect(201);
    return res.body.conversation.id as string;
  }

  beforeAll(async () => {
    desk = await createTestApp();
    // Everything that reads the time reads this one Clock: the test moves it.
    desk.app.get(Clock).now = () => new Date(now);
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    supervisor = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    agent = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    reference = departments.find((d) => d.code === 'reference')!.id;
    const inbox = await desk.http
      .post('/api/v1/inboxes')
      .set(admin)
      .send({ channel: 'api', name: 'SLA form', defaultDepartmentId: reference })
      .expect(201);
    inboxId = inbox.body.id as string;
    const data = new TestData(desk.database);
    const other = await data.library({ name: 'Elsewhere' });
    otherPolicy = (
      await desk.app.get(SlaPolicyService).create(libraryScope(other.id), { name: 'Theirs', firstResponseMinutes: 5 })
    ).id;
  });
  afterAll(async () => desk?.close());

  it('refuses targets ≤ 0 and bad shares, naming the field; admins write, supervisors read, others 403/404', async () => {
    const zero = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Bad', firstResponseMinutes: 0 })
      .expect(400);
    expect(zero.body.errors).toEqual([expect.objectContaining({ field: 'firstResponseMinutes' })]);
    const negative = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Bad', resolutionMinutes: -5 })
      .expect(400);
    expect(negative.body.errors).toEqual([expect.objectContaining({ field: 'resolutionMinutes' })]);
    const share = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Bad', firstResponseMinutes: 5, warnAt: 1.5 })
      .expect(400);
    expect(share.body.errors).toEqual([expect.objectContaining({ field: 'warnAt' })]);
    const none = await desk.http.post('/api/v1/sla-policies').set(admin).send({ name: 'Empty' }).expect(400);
    expect(none.body).toMatchObject({ code: 'invalid_sla_policy' });
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'firstResponseMinutes' })]);

    const created = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Everyone', firstResponseMinutes: 600 })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Everyone', businessHours: true, warnAt: 0.8, departmentId: null });
    const patched = await desk.http
      .patch(`/api/v1/sla-policies/${created.body.id}`)
      .set(admin)
      .send({ nextResponseMinutes: 0 })
      .expect(400);
    expect(patched.body.errors).toEqual([expect.objectContaining({ field: 'nextResponseMinutes' })]);
    await desk.http.get(`/api/v1/sla-policies/${created.body.id}`).set(supervisor).expect(200);
    await desk.http.get('/api/v1/sla-policies').set(agent).expect(403);
    await desk.http
      .post('/api/v1/sla-policies')
      .set(supervisor)
      .send({ name: 'X', firstResponseMinutes: 5 })
      .expect(403);
    await desk.http.get(`/api/v1/sla-policies/${otherPolicy}`).set(admin).expect(404);
    await desk.http.patch(`/api/v1/sla-policies/${otherPolicy}`).set(admin).send({ name: 'Mine' }).expect(404);
    await desk.http.delete(`/api/v1/sla-policies/${otherPolicy}`).set(admin).expect(404);
    await desk.http.delete(`/api/v1/sla-policies/${created.body.id}`).set(admin).expect(204);
    const list = await desk.http.get('/api/v1/sla-policies').set(supervisor).expect(200);
    expect(list.body).toEqual([]);
  });

  describe('with policies for the reference department', () => {
    let policyId: string;

    beforeAll(async () => {
      // The broad one loses to the department's (more specific).
      await desk.http
        .post('/api/v1/sla-policies')
        .set(admin)
        .send({ name: 'Everyone', firstResponseMinutes: 600, businessHours: false })
        .expect(201);
      const res = await desk.http
        .post('/api/v1/sla-policies')
        .set(admin)
        .send({
          name: 'Reference',
          departmentId: reference,
          firstResponseMinutes: 60,
          nextResponseMinutes: 30,
          resolutionMinutes: 480,
          businessHours: false,
        })
        .expect(201);
      policyId = res.body.id as string;
    });

    it('a contact gets due times from the most specific policy; a staff reply stops first response and stores its times', async () => {
      const id = await contact();
      let conversation = await waitFor(id, (c) => c.firstResponseDueAt !== null);
      const created = conversation.createdAt.getTime();
      expect(conversation.slaAppliedPolicyId).toBe(policyId);
      expect(conversation.firstResponseDueAt!.getTime()).toBe(created + 60 * MIN);
      expect(conversation.resolutionDueAt!.getTime()).toBe(created + 480 * MIN);
      expect(conversation.nextResponseDueAt).toBeNull();
      expect(conversation.slaNextCheckAt!.getTime()).toBe(created + 48 * MIN);

      now = created + 10 * MIN;
      await desk.http
        .post(`/api/v1/conversations/${id}/replies`)
        .set(agent)
        .send({ text: 'Nine to five.' })
        .expect(201);
      conversation = await waitFor(id, (c) => c.firstResponseBusinessMs !== null);
      expect(conversation.firstResponseBusinessMs).toBe(10 * MIN);
      expect(conversation.firstResponseMs).toBe(10 * MIN);
      expect(conversation.firstResponseDueAt).toBeNull();
      const answer = await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200);
      expect(answer.body.sla).toMatchObject({ policyId, firstResponseBusinessMs: 10 * MIN, firstResponseDueAt: null });
      // Pending (the reply leaves the ball with the reader): the resolution clock is paused.
      expect(conversation.resolutionDueAt).toBeNull();
    });

    it('warning and breach reach a supervisor socket and the timeline once, from the sweep alone (no timer fired)', async () => {
      const sla = desk.app.get(SlaService);
      const port = (desk.app.getHttpServer().address() as AddressInfo).port;
      const token = supervisor.Authorization.slice('Bearer '.length);
      const console: ConnectedConsole = await connectConsole(`http://127.0.0.1:${port}`, token);
      try {
        const id = await contact();
        const created = (await waitFor(id, (c) => c.firstResponseDueAt !== null)).createdAt.getTime();
        // The delayed jobs are an hour of real time away: only the sweep can find what is due.
        now = created + 47 * MIN;
        await sla.sweep();
        expect((await row(id)).firstResponseWarnedAt).toBeNull();
        now = created + 49 * MIN;
        await sla.sweep();
        await eventually(
          () =>
            console.received.some(
              ([e, p]) => e === 'sla.warning' && (p as { conversationId: string }).conversationId === id,
            ),
          'the warning on the supervisor socket',
        );
        now = created + 61 * MIN;
        await Promise.all([sla.sweep(), sla.sweep(), sla.check(libraryScope((await row(id)).libraryId), id)]);
        await sla.sweep();
        await eventually(
          () =>
            console.received.some(
              ([e, p]) => e === 'sla.breached' && (p as { conversationId: string }).conversationId === id,
            ),
          'the breach on the supervisor socket',
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        const breaches = console.received.filter(
          ([e, p]) => e === 'sla.breached' && (p as { conversationId: string }).conversationId === id,
        );
        expect(breaches).toEqual([
          ['sla.breached', expect.objectContaining({ target: 'firstResponse', policyId, departmentId: reference })],
        ]);
        const events = (await timeline(id)).map((m) => m.data);
        expect(events.filter((d) => d.type === 'sla_warning')).toEqual([
          expect.objectContaining({ target: 'firstResponse', system: 'sla' }),
        ]);
        expect(events.filter((d) => d.type === 'sla_breached')).toEqual([
          expect.objectContaining({ target: 'firstResponse', system: 'sla' }),
        ]);
        const after = await row(id);
        expect(after.firstResponseBreachedAt!.getTime()).toBe(created + 61 * MIN);
        // Resolution (480 min) is what the sweep looks for next.
        expect(after.slaNextCheckAt!.getTime()).toBe(created + Math.round(480 * 0.8) * MIN);
      } finally {
        console.socket.disconnect();
      }
    });

    it('the sweep pages through every due conversation, a page at a time, and a failing check holds none of it up', async () => {
      const sla = desk.app.get(SlaService);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await contact());
      let latest = 0;
      for (const id of ids)
        latest = Math.max(latest, (await waitFor(id, (c) => c.firstResponseDueAt !== null)).createdAt.getTime());
      now = latest + 61 * MIN;
      const failing = ids[2];
      // What a check finds for one row fails for that row, in a batch and alone: its batch is rolled back, and the
      // others of it are checked again one at a time.
      const inside = sla as unknown as { findDue: (scope: LibraryScope, row: { id: string }) => Promise<unknown> };
      const findDue = inside.findDue.bind(sla);
      const spy = jest.spyOn(inside, 'findDue').mockImplementation((scope, row) => {
        if (row.id === failing) return Promise.reject(new Error('this check fails'));
        return findDue(scope, row);
      });
      sla.sweepBatch = 4;
      sla.checkBatch = 2;
      try {
        // Pages of four in batches of two: five (and whatever earlier tests left due) take at least two pages.
        const checked = await sla.sweep();
        expect(checked).toBeGreaterThanOrEqual(5);
        for (const id of ids.filter((i) => i !== failing))
          expect((await row(id)).firstResponseBreachedAt?.getTime()).toBe(now);
        expect((await row(failing)).firstResponseBreachedAt).toBeNull();
        spy.mockRestore();
        // The next sweep takes up the one that failed; the others are not breached twice.
        await sla.sweep();
        expect((await row(failing)).firstResponseBreachedAt?.getTime()).toBe(now);
        for (const id of ids) {
          const events = (await timeline(id)).map((m) => m.data);
          expect(events.filter((d) => d.type === 'sla_breached' && d.target === 'firstResponse')).toHaveLength(1);
        }
      } finally {
        spy.mockRestore();
        sla.sweepBatch = SWEEP_BATCH;
        sla.checkBatch = CHECK_BATCH;
      }
    });

    it('pending pauses the clock; back to open, the time left is added from then', async () => {
      const id = await contact();
      const created = (await waitFor(id, (c) => c.firstResponseDueAt !== null)).createdAt.getTime();
      now = created + 20 * MIN;
      await desk.http.post(`/api/v1/conversations/${id}/status`).set(agent).send({ status: 'pending' }).expect(200);
      let c = await waitFor(id, (r) => r.firstResponseDueAt === null);
      expect(c.firstResponseBusinessMs).toBeNull();
      now = created + 200 * MIN;
      await desk.http.post(`/api/v1/conversations/${id}/status`).set(agent).send({ status: 'open' }).expect(200);
      c = await waitFor(id, (r) => r.firstResponseDueAt !== null);
      // 40 minutes were left when it paused.
      expect(c.firstResponseDueAt!.getTime()).toBe(created + 240 * MIN);
    });
  });

  it('an automatic reply does not stop first response; a priority change re-matches, and the timer alone warns', async () => {
    const urgent = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({
        name: 'Reference, high',
        departmentId: reference,
        priority: 'high',
        firstResponseMinutes: 30,
        businessHours: false,
      })
      .expect(201);
    const id = await contact();
    const created = (await waitFor(id, (c) => c.firstResponseDueAt !== null)).createdAt.getTime();
    await desk.app
      .get(AutomaticRepliesService)
      .record(libraryScope((await row(id)).libraryId), { conversationId: id, text: 'We got your question.', data: {} });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await row(id)).firstResponseDueAt!.getTime()).toBe(created + 60 * MIN);
    expect((await row(id)).firstResponseBusinessMs).toBeNull();

    // From here the desk's time runs with real time, half a second before the high policy's warning (24 min).
    const clock = desk.app.get(Clock);
    const frozen = clock.now;
    const start = Date.now();
    const base = created + 24 * MIN - 500;
    clock.now = () => new Date(base + (Date.now() - start));
    try {
      await desk.http.patch(`/api/v1/conversations/${id}`).set(agent).send({ priority: 'high' }).expect(200);
      const retargeted = await waitFor(id, (c) => c.slaAppliedPolicyId === urgent.body.id);
      expect(retargeted.firstResponseDueAt!.getTime()).toBe(created + 30 * MIN);
      // No sweep is called: the delayed job wakes the check.
      const warned = await waitFor(id, (c) => c.firstResponseWarnedAt !== null);
      expect(warned.firstResponseBreachedAt).toBeNull();
      expect((await timeline(id)).filter((m) => m.data.type === 'sla_warning')).toHaveLength(1);
    } finally {
      clock.now = frozen;
      await desk.http.delete(`/api/v1/sla-policies/${urgent.body.id}`).set(admin).expect(204);
    }
  });

  it('business hours: a contact on Friday 16:30 with 60 minutes in a Mon–Fri 9–17 calendar is due Monday 09:30', async () => {
    const department = await desk.http
      .post('/api/v1/departments')
      .set(admin)
      .send({ code: 'sla-hours', name: 'Hours desk' })
      .expect(201);
    const weekly = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => ({
      day,
      start: '09:00',
      end: '17:00',
    }));
    await desk.http
      .put(`/api/v1/departments/${department.body.id}/calendar`)
      .set(admin)
      .send({ timeZone: 'Europe/London', weekly })
      .expect(200);
    await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Hours', departmentId: department.body.id, firstResponseMinutes: 60 })
      .expect(201);
    const inbox = await desk.http
      .post('/api/v1/inboxes')
      .set(admin)
      .send({ channel: 'api', name: 'Hours form', defaultDepartmentId: department.body.id })
      .expect(201);
    now = Date.parse('2026-11-27T16:30:00Z'); // a Friday, GMT
    const res = await desk.http
      .post(`/api/v1/inboxes/${inbox.body.id}/messages`)
      .set(admin)
      .send({ externalId: 'hours-1', handles: [{ kind: 'email', value: 'hours@example.org' }], text: 'Open Monday?' })
      .expect(201);
    const c = await waitFor(res.body.conversation.id as string, (r) => r.firstResponseDueAt !== null);
    expect(c.createdAt.toISOString()).toBe('2026-11-27T16:30:00.000Z');
    expect(c.firstResponseDueAt!.toISOString()).toBe('2026-11-30T09:30:00.000Z');
  });

  it("moving a department to another branch moves an open conversation's due time to that branch's hours", async () => {
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const branch = async (code: string, timeZone: string) => {
      const created = await desk.http
        .post('/api/v1/branches')
        .set(admin)
        .send({ code, name: code, timeZone })
        .expect(201);
      await desk.http
        .put(`/api/v1/branches/${created.body.id}/calendar`)
        .set(admin)
        .send({ weekly: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })) })
        .expect(200);
      return created.body.id as string;
    };
    const london = await branch('sla-london', 'Europe/London');
    const newYork = await branch('sla-new-york', 'America/New_York');
    const department = await desk.http
      .post('/api/v1/departments')
      .set(admin)
      .send({ code: 'sla-moving', name: 'Moving desk', branchId: london })
      .expect(201);
    await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Moving', departmentId: department.body.id, firstResponseMinutes: 60 })
      .expect(201);
    const inbox = await desk.http
      .post('/api/v1/inboxes')
      .set(admin)
      .send({ channel: 'api', name: 'Moving form', defaultDepartmentId: department.body.id })
      .expect(201);
    now = Date.parse('2026-11-27T16:30:00Z'); // a Friday: 16:30 in London, 11:30 in New York
    const res = await desk.http
      .post(`/api/v1/inboxes/${inbox.body.id}/messages`)
      .set(admin)
      .send({ externalId: 'moving-1', handles: [{ kind: 'email', value: 'moving@example.org' }], text: 'Open?' })
      .expect(201);
    const id = res.body.conversation.id as string;
    // The branch's hours, with no calendar of the department's own: 30 minutes on Friday, 30 on Monday.
    const before = await waitFor(id, (c) => c.firstResponseDueAt !== null);
    expect(before.firstResponseDueAt!.toISOString()).toBe('2026-11-30T09:30:00.000Z');

    await desk.http
      .patch(`/api/v1/departments/${department.body.id}`)
      .set(admin)
      .send({ branchId: newYork })
      .expect(200);
    // No sweep, no timer: the move itself recomputes. New York is open until 17:00 local (22:00 UTC).
    const after = await waitFor(
      id,
      (c) => c.firstResponseDueAt?.toISOString() !== before.firstResponseDueAt!.toISOString(),
    );
    expect(after.firstResponseDueAt!.toISOString()).toBe('2026-11-27T17:30:00.000Z');
    expect(after.slaNextCheckAt!.getTime()).toBeLessThanOrEqual(after.firstResponseDueAt!.getTime());
  });

  it('a policy deleted while its clock runs raises no alert: the check recomputes with the policy that applies now', async () => {
    const department = await desk.http
      .post('/api/v1/departments')
      .set(admin)
      .send({ code: 'sla-gone', name: 'Gone desk' })
      .expect(201);
    const policy = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Gone', departmentId: department.body.id, firstResponseMinutes: 10, businessHours: false })
      .expect(201);
    const inbox = await desk.http
      .post('/api/v1/inboxes')
      .set(admin)
      .send({ channel: 'api', name: 'Gone form', defaultDepartmentId: department.body.id })
      .expect(201);
    const res = await desk.http
      .post(`/api/v1/inboxes/${inbox.body.id}/messages`)
      .set(admin)
      .send({ externalId: 'gone-1', handles: [{ kind: 'email', value: 'gone@example.org' }], text: 'Anyone?' })
      .expect(201);
    const id = res.body.conversation.id as string;
    const created = (await waitFor(id, (c) => c.firstResponseDueAt !== null)).createdAt.getTime();
    await desk.http.delete(`/api/v1/sla-policies/${policy.body.id}`).set(admin).expect(204);
    now = created + 20 * MIN;
    await desk.app.get(SlaService).sweep();
    const after = await row(id);
    expect(after).toMatchObject({ firstResponseWarnedAt: null, firstResponseBreachedAt: null });
    // The broad policy (600 minutes, any department) applies now, from the same start.
    expect(after.slaAppliedPolicyId).not.toBe(policy.body.id);
    expect(after.firstResponseDueAt!.getTime()).toBe(created + 600 * MIN);
    expect((await timeline(id)).filter((m) => String(m.data.type).startsWith('sla_'))).toEqual([]);
  });

  async function waitFor(id: string, done: (c: Conversation) => boolean): Promise<Conversation> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const c = await row(id);
      if (done(c)) return c;
      if (Date.now() > deadline) throw new Error(`conversation ${id} never reached the state: ${JSON.stringify(c)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
});

describeWithDatabase('SLA clocks across a restart of the worker', () => {
  it('a breach whose timer died with the process fires after restart, from the sweep, exactly once', async () => {
    const first = await createTestApp();
    let second: INestApplication | null = null;
    try {
      // The contact arrived two minutes ago (as the first process sees it): 1 minute to first response.
      first.app.get(Clock).now = () => new Date(Date.now() - 2 * MIN);
      const admin = await first.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
      await first.http
        .post('/api/v1/sla-policies')
        .set(admin)
        .send({ name: 'Fast', firstResponseMinutes: 1, businessHours: false })
        .expect(201);
      const inbox = await first.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Restart form' })
        .expect(201);
      const res = await first.http
        .post(`/api/v1/inboxes/${inbox.body.id}/messages`)
        .set(admin)
        .send({ externalId: 'restart-1', handles: [{ kind: 'email', value: 'restart@example.org' }], text: 'Hello?' })
        .expect(201);
      const id = res.body.conversation.id as string;
      const repository = () => first.database.manager.getRepository(Conversation);
      const deadline = Date.now() + 5000;
      while ((await repository().findOneByOrFail({ id })).firstResponseDueAt === null) {
        if (Date.now() > deadline) throw new Error('no due time');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // The process dies with its delayed jobs (about a minute away) still pending.
      await first.app.close();
      expect((await reopen(first)).firstResponseBreachedAt).toBeNull();

      second = await createHttpApp(DeskModule.forRoot(first.env));
      await second.listen(0, '127.0.0.1');
      const database = second.get(DatabaseService);
      await database.connect();
      const rows = () => database.manager.getRepository(Conversation);
      const until = Date.now() + 10_000;
      while ((await rows().findOneByOrFail({ id })).firstResponseBreachedAt === null) {
        if (Date.now() > until) throw new Error('the sweep never recorded the breach');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await second.get(SlaService).sweep();
      const breaches = await database.manager
        .getRepository(Message)
        .find({ where: { conversationId: id, kind: 'event' } });
      expect(breaches.filter((m) => m.data.type === 'sla_breached')).toHaveLength(1);
    } finally {
      await second?.close();
      await first.drop();
    }
  });

  /** The row as the database holds it, read outside the closed app. */
  async function reopen(app: TestApp): Promise<Conversation> {
    const probe = await createHttpApp(DeskModule.forRoot({ ...app.env, DESK_ROLE: 'api' }));
    try {
      const database = probe.get(DatabaseService);
      await database.connect();
      const [row] = await database.manager.getRepository(Conversation).find({ take: 1, order: { createdAt: 'DESC' } });
      return row;
    } finally {
      await probe.close();
    }
  }
});
