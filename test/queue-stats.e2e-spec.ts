import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConversationAbandoned } from '@readerdesk/conversations';
import { OfferAccepted, OfferCreated, OfferEnded } from '@readerdesk/offers';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { Clock, EventBus } from '@readerdesk/platform';
import { QUEUE_STATS_PUSH_EVERY_MS } from '@readerdesk/queue-stats';
import { SlaService } from '@readerdesk/sla';
import { DateTime } from 'luxon';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { connectConsole, type ConnectedConsole, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

const SECOND = 1000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  waiting: number;
  breached: number;
  opened: number;
  longestWaitMs: number | null;
  offered: number;
  accepted: number;
  rejected: number;
  timedOut: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  shortAbandoned: number;
  resolved: number;
  serviceLevel: number | null;
  firstResponseMs: { p50: number | null; p90: number | null };
  resolutionMs: { p50: number | null; p90: number | null };
}
interface Report {
  day: string;
  timeZone: string;
  hours: Array<{ hour: number; opened: number; answered: number; firstResponseMs: { p50: number | null } }>;
  breaches: Array<{ conversationId: string; number: number; targets: string[]; breachedAt: string; channel: string }>;
  queues: Array<Figures & { departmentId: string | null; channel: string }>;
  totals: Figures;
  departments: Array<{ departmentId: string; agents: Record<string, number> }>;
  agents: Array<{ agentId: string; presence: string; load: Record<string, number>; departmentIds: string[] }>;
}

/**
 * Queue statistics through the real surfaces: contacts over HTTP, replies and a resolution by staff,
 * offers and abandons published on the bus (as the offers library and the channels will), the
 * figures read over REST, and the supervisors' socket told, at most every 2 s.
 */
describeWithDatabase('queue statistics, live', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let supervisor: { Authorization: string };
  let agent: { Authorization: string };
  let agentId: string;
  let library: string;
  let reference: string;
  let circulation: string;
  let otherDepartment: string;
  let chatInbox: string;
  let now = Date.now();
  let contacts = 0;
  let board: ConnectedConsole;
  const pushes: number[] = [];

  async function contact(text = 'Do you have large-print books?'): Promise<{ id: string; readerId: string }> {
    const res = await desk.http
      .post(`/api/v1/inboxes/${chatInbox}/messages`)
      .set(admin)
      .send({
        externalId: `stats-${++contacts}`,
        handles: [{ kind: 'chat', value: `stats-visitor-${contacts}` }],
        text,
      })
      .expect(201);
    return { id: res.body.conversation.id as string, readerId: res.body.conversation.readerId as string };
  }

  const reply = (id: string) =>
    desk.http
      .post(`/api/v1/conversations/${id}/replies`)
      .set(agent)
      .send({ text: 'Yes, on the second floor.' })
      .expect(201);

  const stats = async (as = supervisor, query: Record<string, string> = {}): Promise<Report> =>
    (await desk.http.get('/api/v1/queue-stats').set(as).query(query).expect(200)).body as Report;

  const chatQueue = (report: Report) => report.queues.find((q) => q.departmentId === reference && q.channel === 'chat');

  /** Handlers run after the request answered: poll the REST figures until they hold. */
  async function until(what: string, check: (report: Report) => boolean): Promise<Report> {
    const deadline = Date.now() + 10 * SECOND;
    for (;;) {
      const report = await stats();
      if (check(report)) return report;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(chatQueue(report))}`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    desk = await createTestApp();
    desk.app.get(Clock).now = () => new Date(now);
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    supervisor = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD); // Reference + ILL
    agent = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD); // Reference + E-resources
    library = ((await desk.http.get('/api/v1/library').set(admin).expect(200)).body as { id: string }).id;
    agentId = ((await desk.http.get('/api/v1/auth/me').set(agent).expect(200)).body as { id: string }).id;
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    reference = departments.find((d) => d.code === 'reference')!.id;
    circulation = departments.find((d) => d.code === 'circulation')!.id;
    chatInbox = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'chat', name: 'Ask a librarian (chat)', defaultDepartmentId: reference })
        .expect(201)
    ).body.id as string;
    const data = new TestData(desk.database);
    otherDepartment = (await data.department(await data.library({ name: 'Elsewhere' }), { name: 'Theirs' })).id;
    const port = (desk.app.getHttpServer().address() as AddressInfo).port;
    board = await connectConsole(`http://127.0.0.1:${port}`, supervisor.Authorization.slice('Bearer '.length));
    board.socket.on('queue-stats.changed', () => pushes.push(Date.now()));
  });
  afterAll(async () => {
    board?.socket.disconnect();
    await desk?.close();
  });

  it('refuses agents (403) and departments the caller may not see (404), and answers an empty day', async () => {
    await desk.http.get('/api/v1/queue-stats').set(agent).expect(403);
    await desk.http.get('/api/v1/queue-stats').expect(401);
    const other = await desk.http.get('/api/v1/queue-stats').set(admin).query({ departmentId: otherDepartment });
    expect(other.status).toBe(404);
    const notTheirs = await desk.http.get('/api/v1/queue-stats').set(supervisor).query({ departmentId: circulation });
    expect(notTheirs.status).toBe(404);
    await desk.http.get('/api/v1/queue-stats').set(admin).query({ departmentId: 'nope' }).expect(400);
    const empty = await stats();
    expect(empty.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(empty.totals).toMatchObject({ answered: 0, offered: 0, serviceLevel: null, firstResponseMs: { p50: null } });
    // A supervisor sees their departments (and triage), not the others.
    expect(empty.departments.map((d) => d.departmentId).sort()).toHaveLength(2);
    expect(empty.departments.map((d) => d.departmentId)).toContain(reference);
    expect(empty.departments.map((d) => d.departmentId)).not.toContain(circulation);
  });

  it('counts answers, the service level, abandons, offers, resolutions, what waits and what agents hold', async () => {
    const start = now;
    const quick = await contact();
    const slow = await contact();
    const waiting = await contact();
    now = start + 30 * SECOND;
    await reply(quick.id); // within chat's 60 s
    now = start + 120 * SECOND;
    await reply(slow.id); // answered, too late for the service level
    now = start + 130 * SECOND;
    await reply(quick.id); // a second reply is no new answer
    now = start + 150 * SECOND;
    await desk.http
      .post(`/api/v1/conversations/${quick.id}/status`)
      .set(agent)
      .send({ status: 'resolved', readLevel: 2, questionType: 'ready_reference' })
      .expect(200);

    const bus = desk.app.get(EventBus);
    const at = new Date(now).toISOString();
    const facts = (conversationId: string, readerId: string) => ({
      libraryId: library,
      offerId: randomUUID(),
      conversationId,
      readerId,
      departmentId: reference,
      channel: 'chat' as const,
      agentId,
      mode: 'offer' as const,
    });
    // What the offers library will publish (with what its console shows alongside: not read here).
    for (const c of [waiting, waiting, slow]) {
      const created = {
        ...facts(c.id, c.readerId),
        offeredAt: at,
        expiresAt: new Date(now + 30 * SECOND).toISOString(),
        conversation: { number: 1, subject: null, priority: 'normal', departmentId: reference },
        reader: { displayName: null },
      };
      bus.publish(OfferCreated, created);
    }
    bus.publish(OfferEnded, { ...facts(waiting.id, waiting.readerId), reason: 'rejected', endedAt: at });
    bus.publish(OfferEnded, { ...facts(waiting.id, waiting.readerId), reason: 'timed_out', endedAt: at });
    bus.publish(OfferEnded, { ...facts(waiting.id, waiting.readerId), reason: 'taken_elsewhere', endedAt: at });
    bus.publish(OfferAccepted, { ...facts(slow.id, slow.readerId), acceptedAt: at, waitedMs: 100 * SECOND });
    // Two readers gave up: one after 4 s (a short abandon), one after 45 s.
    const gone = [await contact(), await contact()];
    bus.publish(ConversationAbandoned, {
      libraryId: library,
      conversationId: gone[0].id,
      departmentId: reference,
      channel: 'chat',
      waitedMs: 4 * SECOND,
      at,
    });
    bus.publish(ConversationAbandoned, {
      libraryId: library,
      conversationId: gone[1].id,
      departmentId: reference,
      channel: 'chat',
      waitedMs: 45 * SECOND,
      at,
    });

    const report = await until('the day’s figures', (r) => {
      const q = chatQueue(r);
      return !!q && q.answered === 2 && q.resolved === 1 && q.abandoned === 2 && q.offered === 3 && q.accepted === 1;
    });
    const queue = chatQueue(report)!;
    expect(queue).toMatchObject({
      offered: 3,
      accepted: 1,
      rejected: 1,
      timedOut: 1,
      answered: 2,
      answeredWithin: 1,
      abandoned: 2,
      shortAbandoned: 1,
      resolved: 1,
      // 1 within ÷ (2 answered + 2 abandoned − 1 short)
      serviceLevel: 33.3,
    });
    // Percentiles from log-scale buckets: within 10 % of 30 s and 120 s; the one resolution took 150 s.
    expect(queue.firstResponseMs.p50).toBeGreaterThan(27 * SECOND);
    expect(queue.firstResponseMs.p50).toBeLessThan(60 * SECOND);
    expect(queue.firstResponseMs.p90).toBeGreaterThan(100 * SECOND);
    expect(queue.firstResponseMs.p90).toBeLessThan(132 * SECOND);
    expect(queue.resolutionMs.p50).toBeGreaterThan(135 * SECOND);
    expect(queue.resolutionMs.p50).toBeLessThan(165 * SECOND);
    // Waiting now: the unanswered contact and the two who left (nothing closed them: offers are not built yet).
    expect(queue.waiting).toBe(3);
    expect(queue.longestWaitMs).toBe(150 * SECOND);
    expect(report.totals).toMatchObject({ answered: 2, answeredWithin: 1, serviceLevel: 33.3, waiting: 3 });
    // The agent holds the slow one (pending after the reply); the resolved one no longer counts.
    const lena = report.agents.find((a) => a.agentId === agentId)!;
    expect(lena.load).toEqual({ chat: 1 });
    expect(lena.departmentIds).toEqual([reference]);
    const staffing = report.departments.find((d) => d.departmentId === reference)!;
    expect(Object.values(staffing.agents).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);

    // The filter: only Reference's queues, the same figures.
    const filtered = await stats(admin, { departmentId: reference });
    expect(filtered.queues.every((q) => q.departmentId === reference)).toBe(true);
    expect(chatQueue(filtered)).toMatchObject({ answered: 2, resolved: 1, waiting: 3 });
    expect(filtered.departments.map((d) => d.departmentId)).toEqual([reference]);
  });

  it('counts each local hour for the charts: contacts in, answers and their first-response times', async () => {
    const report = await stats();
    expect(report.hours.map((h) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const hour = DateTime.fromMillis(now, { zone: report.timeZone }).hour;
    // Seven contacts so far (the earlier test's five and two that left), all in this hour; two answers.
    expect(report.hours[hour]).toMatchObject({ opened: contacts, answered: 2 });
    expect(report.hours[hour].firstResponseMs.p50).toBeGreaterThan(27 * SECOND);
    expect(report.hours.filter((h) => h.hour !== hour).every((h) => h.opened === 0 && h.answered === 0)).toBe(true);
    // The day's totals are the sum of the hours.
    expect(report.totals.opened).toBe(report.hours.reduce((sum, h) => sum + h.opened, 0));
    expect(chatQueue(report)!.opened).toBe(contacts);
  });

  it('lists the conversations in breach now, with their targets, and drops one once it is answered', async () => {
    await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Chat now', departmentId: reference, firstResponseMinutes: 1, businessHours: false })
      .expect(201);
    const late = await contact('Is anyone there?');
    const answered = await contact('And me?');
    const start = now;
    now = start + 2 * 60 * SECOND;
    await desk.app.get(SlaService).sweep();
    const report = await until('two breaches', (r) => (chatQueue(r)?.breached ?? 0) >= 2);
    const ids = report.breaches.map((b) => b.conversationId);
    expect(ids).toEqual(expect.arrayContaining([late.id, answered.id]));
    expect(report.breaches.find((b) => b.conversationId === late.id)).toMatchObject({
      targets: ['firstResponse'],
      channel: 'chat',
      number: expect.any(Number),
    });
    expect(report.totals.breached).toBe(chatQueue(report)!.breached);
    // Another department's supervisor view holds none of them.
    const circulationView = await stats(admin, { departmentId: circulation });
    expect(circulationView.breaches.map((b) => b.conversationId)).not.toContain(late.id);

    await reply(answered.id);
    const after = await until('the answered one no longer in breach', (r) =>
      r.breaches.every((b) => b.conversationId !== answered.id),
    );
    expect(after.breaches.map((b) => b.conversationId)).toContain(late.id);
    expect(chatQueue(after)!.breached).toBe(chatQueue(report)!.breached - 1);
  });

  it('tells the supervisors’ socket, at most every 2 s', async () => {
    await eventually(() => pushes.length > 0, 'queue-stats.changed on the supervisor socket');
    // A burst of changes (presence, a contact) while the last announcement is recent: one more, 2 s on.
    const before = pushes.length;
    await desk.http.put('/api/v1/agents/me/presence').set(agent).send({ presence: 'available' });
    await contact();
    await contact();
    await eventually(() => pushes.length > before, 'the next queue-stats.changed', 5 * SECOND);
    await sleep(QUEUE_STATS_PUSH_EVERY_MS + 500);
    for (let i = 1; i < pushes.length; i++)
      expect(pushes[i] - pushes[i - 1]).toBeGreaterThanOrEqual(QUEUE_STATS_PUSH_EVERY_MS - 100);
    const event = board.received.find(([name]) => name === 'queue-stats.changed')![1] as {
      departmentIds: unknown[];
      at: string;
    };
    expect(event.departmentIds).toContain(reference);
  });
});
