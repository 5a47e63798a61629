import { Conversation } from '@readerdesk/conversations';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { Clock } from '@readerdesk/platform';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Routing, calendars and SLA as the desk wires them (each has its own suite; this one checks the joints):
 * a rule's `openNow` is answered from the department's real opening hours, and the SLA policy a rule
 * chooses is the one the clocks run against.
 */
describeWithDatabase('routing wired to calendars and SLA', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let inboxId: string;
  let policyId: string;
  // Wednesday 2 December 2026: 03:00 and 10:00 in New York (EST, UTC−5).
  const closedAt = new Date('2026-12-02T08:00:00Z');
  const openAt = new Date('2026-12-02T15:00:00Z');
  let now = closedAt;
  let sequence = 0;

  const row = (id: string) => desk.database.manager.getRepository(Conversation).findOneByOrFail({ id });

  async function contact(): Promise<string> {
    sequence += 1;
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `wiring-${sequence}`,
        handles: [{ kind: 'email', value: `wiring${sequence}@example.org` }],
        subject: 'A renewal',
        text: 'Can I renew my loans?',
      })
      .expect(201);
    return res.body.conversation.id as string;
  }

  async function until(id: string, check: (c: Conversation) => boolean): Promise<Conversation> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const conversation = await row(id);
      if (check(conversation)) return conversation;
      if (Date.now() > deadline) return conversation;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  beforeAll(async () => {
    desk = await createTestApp();
    desk.app.get(Clock).now = () => new Date(now);
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!.id;
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    await desk.http
      .put(`/api/v1/departments/${reference}/calendar`)
      .set(admin)
      .send({
        timeZone: 'America/New_York',
        weekly: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })),
      })
      .expect(200);
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Wiring form', defaultDepartmentId: reference })
        .expect(201)
    ).body.id as string;
    policyId = (
      await desk.http
        .post('/api/v1/sla-policies')
        .set(admin)
        .send({ name: 'After hours', firstResponseMinutes: 30, businessHours: false })
        .expect(201)
    ).body.id as string;
    await desk.http
      .post('/api/v1/routing-rules')
      .set(admin)
      .send({
        name: 'After hours',
        conditions: [
          { field: 'inbox', op: 'in', values: [inboxId] },
          { field: 'openNow', op: 'is', value: false },
        ],
        actions: { tags: ['after-hours'], slaPolicyId: policyId },
      })
      .expect(201);
  });
  afterAll(async () => desk?.close());

  it("matches openNow: false while the department's calendar is closed, and runs the clocks on the rule's policy", async () => {
    now = closedAt;
    const id = await contact();
    const conversation = await until(id, (c) => c.firstResponseDueAt !== null);
    expect(conversation.tags).toContain('after-hours');
    expect(conversation.slaPolicyId).toBe(policyId);
    expect(conversation.slaAppliedPolicyId).toBe(policyId);
    expect(conversation.firstResponseDueAt?.toISOString()).toBe(
      new Date(closedAt.getTime() + 30 * 60_000).toISOString(),
    );
  });

  it('does not match while the calendar is open', async () => {
    now = openAt;
    const id = await contact();
    const conversation = await row(id);
    expect(conversation.tags).not.toContain('after-hours');
    expect(conversation.slaPolicyId).toBeNull();
  });
});
