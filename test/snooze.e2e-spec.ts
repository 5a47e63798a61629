import { Conversation, Message, SnoozeService } from '@readerdesk/conversations';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { Clock } from '@readerdesk/platform';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

const MIN = 60_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Snoozed conversations wake at their time: by their delayed job, or by the sweep when the job is lost. */
describeWithDatabase('snoozed conversations wake up', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let inboxId: string;
  let reference: string;
  /** The desk's time: null runs on the real clock (for the delayed job), a number holds it still. */
  let now: number | null = null;
  let contacts = 0;

  const row = (id: string) => desk.database.manager.getRepository(Conversation).findOneByOrFail({ id });
  const wakeEvents = async (id: string) =>
    (await desk.database.manager.getRepository(Message).find({ where: { conversationId: id, kind: 'event' } })).filter(
      (m) => (m.data as { reason?: string }).reason === 'snooze_ended',
    );

  async function contact(): Promise<string> {
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `snooze-${++contacts}`,
        handles: [{ kind: 'email', value: `snooze.reader${contacts}@example.org` }],
        text: 'Can you look into this next week?',
      })
      .expect(201);
    return res.body.conversation.id as string;
  }

  const snooze = (id: string, until: Date) =>
    desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(admin)
      .send({ status: 'snoozed', snoozedUntil: until.toISOString() })
      .expect(200);

  async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    desk = await createTestApp();
    const clock = desk.app.get(Clock);
    const real = clock.now.bind(clock);
    clock.now = () => (now === null ? real() : new Date(now));
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    reference = departments.find((d) => d.code === 'reference')!.id;
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Snooze form', defaultDepartmentId: reference })
        .expect(201)
    ).body.id as string;
  });
  afterAll(async () => desk?.close());
  afterEach(() => {
    now = null;
  });

  it('wakes at its time through its delayed job: open again, once on the timeline by the system', async () => {
    const id = await contact();
    await snooze(id, new Date(Date.now() + 1200));
    expect((await row(id)).status).toBe('snoozed');
    await waitFor('the snooze to end', async () => (await row(id)).status === 'open');
    const woken = await row(id);
    expect(woken.snoozedUntil).toBeNull();
    const events = await wakeEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0].authorAgentId).toBeNull();
    expect(events[0].data).toMatchObject({ type: 'status_changed', from: 'snoozed', to: 'open', system: 'snooze' });
    // The sweep after it finds nothing left to wake.
    expect(await desk.app.get(SnoozeService).sweep()).toBe(0);
  });

  it('wakes by the sweep alone when no job was ever added (lost, or a restart of the in-process queue)', async () => {
    const id = await contact();
    now = Date.now();
    // Snoozed under the desk's feet: no status change event, so no job.
    await desk.database.manager
      .getRepository(Conversation)
      .update({ id }, { status: 'snoozed', snoozedUntil: new Date(now + 10 * MIN) });
    const sweeper = desk.app.get(SnoozeService);
    expect(await sweeper.sweep()).toBe(0);
    expect((await row(id)).status).toBe('snoozed');
    now += 10 * MIN;
    // Two workers sweeping at once wake it once.
    const [a, b] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    expect(a + b).toBe(1);
    expect((await row(id)).status).toBe('open');
    expect(await wakeEvents(id)).toHaveLength(1);
  });

  it('keeps a conversation snoozed again until later asleep when its first time comes, and one a person opened open', async () => {
    const again = await contact();
    const opened = await contact();
    now = Date.now();
    await snooze(again, new Date(now + 5 * MIN));
    await snooze(opened, new Date(now + 5 * MIN));
    // Snoozed again for longer (a person opened it and snoozed it anew): the first job must do nothing.
    await desk.http.post(`/api/v1/conversations/${again}/status`).set(admin).send({ status: 'open' }).expect(200);
    await snooze(again, new Date(now + 60 * MIN));
    await desk.http.post(`/api/v1/conversations/${opened}/status`).set(admin).send({ status: 'open' }).expect(200);
    now += 6 * MIN;
    const sweeper = desk.app.get(SnoozeService);
    await sweeper.onWake({ libraryId: (await row(again)).libraryId, conversationId: again });
    await sweeper.sweep();
    expect((await row(again)).status).toBe('snoozed');
    expect((await row(opened)).status).toBe('open');
    expect(await wakeEvents(opened)).toHaveLength(0);
    now += 60 * MIN;
    await sweeper.sweep();
    expect((await row(again)).status).toBe('open');
    expect(await wakeEvents(again)).toHaveLength(1);
  });

  it('resumes the SLA clock on waking: the due time moves by the time spent snoozed', async () => {
    now = Date.now();
    const policy = await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Snooze 24/7', departmentId: reference, firstResponseMinutes: 60, businessHours: false })
      .expect(201);
    try {
      const id = await contact();
      const opened = now;
      await waitFor('the first-response clock', async () => (await row(id)).firstResponseDueAt !== null);
      expect((await row(id)).firstResponseDueAt!.getTime()).toBe(opened + 60 * MIN);
      now += 10 * MIN;
      await snooze(id, new Date(now + 30 * MIN));
      await waitFor('the clock to pause', async () => (await row(id)).firstResponseDueAt === null);
      now += 30 * MIN;
      await desk.app.get(SnoozeService).sweep();
      expect((await row(id)).status).toBe('open');
      // 10 minutes used before the snooze: 50 left from the wake-up.
      await waitFor('the clock to resume', async () => (await row(id)).firstResponseDueAt !== null);
      expect((await row(id)).firstResponseDueAt!.getTime()).toBe(now + 50 * MIN);
    } finally {
      await desk.http
        .delete(`/api/v1/sla-policies/${policy.body.id as string}`)
        .set(admin)
        .expect(204);
    }
  });
});
