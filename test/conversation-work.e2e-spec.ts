import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { connectConsole } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

type Auth = { Authorization: string };

interface ConversationBody {
  id: string;
  departmentId: string | null;
  assigneeId: string | null;
  priority: string;
  subject: string | null;
  tags: string[];
}

/**
 * What staff do with a conversation besides answering it: tag it, change its priority, take it or
 * have a supervisor assign it, transfer it to another department; and find it again by words, tag
 * and date. Every change is on the timeline and reaches the consoles of the departments concerned.
 */
describeWithDatabase('working a conversation: tags, priority, assignment, transfer and search', () => {
  let desk: TestApp;
  let admin: Auth;
  let sam: Auth; // supervisor: reference, ill
  let lena: Auth; // agent: reference, eresources
  let arash: Auth; // agent: circulation
  const inboxes: Record<string, string> = {};
  const departments: Record<string, string> = {};
  const agentIds: Record<string, string> = {};

  const ingest = async (externalId: string, subject: string, text: string, department = 'reference') =>
    (
      await desk.http
        .post(`/api/v1/inboxes/${inboxes[department]}/messages`)
        .set(admin)
        .send({
          externalId,
          handles: [{ kind: 'email', value: `${externalId}@example.org` }],
          subject,
          text,
        })
        .expect(201)
    ).body.conversation as ConversationBody;
  const list = async (auth: Auth, query: Record<string, string>) =>
    (
      (await desk.http.get('/api/v1/conversations').query(query).set(auth).expect(200)).body.items as Array<{
        subject: string;
      }>
    )
      .map((c) => c.subject)
      .sort();

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    sam = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    lena = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    arash = await desk.signIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    for (const d of (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>) {
      departments[d.code] = d.id;
    }
    for (const a of (await desk.http.get('/api/v1/agents').set(admin).expect(200)).body as Array<{
      id: string;
      email: string;
    }>) {
      agentIds[a.email] = a.id;
    }
    // A web form per department: what arrives is that department's.
    for (const code of ['reference', 'circulation']) {
      inboxes[code] = (
        await desk.http
          .post('/api/v1/inboxes')
          .set(admin)
          .send({ channel: 'api', name: `Form ${code}`, defaultDepartmentId: departments[code] })
          .expect(201)
      ).body.id;
    }
  });
  afterAll(async () => desk?.close());

  it('edits subject, priority and tags (normalised), recording each change on the timeline', async () => {
    // Not "interlibrary loan": the demo's routing rule would send it to ILL, out of Lena's sight.
    const c = await ingest('edit-1', 'Borrowing a thesis', 'Can you borrow a thesis from Leiden?');
    const edited = await desk.http
      .patch(`/api/v1/conversations/${c.id}`)
      .set(lena)
      .send({ priority: 'high', tags: ['  Thesis ', 'ILL', 'thesis'], subject: 'ILL: thesis from Leiden' })
      .expect(200);
    expect(edited.body).toMatchObject({
      priority: 'high',
      tags: ['thesis', 'ill'],
      subject: 'ILL: thesis from Leiden',
    });
    // The same again changes nothing and records nothing.
    await desk.http.patch(`/api/v1/conversations/${c.id}`).set(lena).send({ priority: 'high' }).expect(200);
    const events = (
      (await desk.http.get(`/api/v1/conversations/${c.id}/timeline`).set(lena).expect(200)).body as Array<{
        kind: string;
        data: { type?: string; from?: unknown; to?: unknown; added?: string[] };
      }>
    ).filter((m) => m.kind === 'event');
    expect(events.map((e) => e.data.type)).toEqual(['subject_changed', 'priority_changed', 'tags_changed']);
    expect(events[1].data).toMatchObject({ from: 'normal', to: 'high' });
    expect(events[2].data.added).toEqual(['thesis', 'ill']);

    await desk.http.patch(`/api/v1/conversations/${c.id}`).set(lena).send({ priority: 'extreme' }).expect(400);
    await desk.http
      .patch(`/api/v1/conversations/${c.id}`)
      .set(lena)
      .send({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })
      .expect(400);
    // Another department's agent does not see it at all.
    await desk.http.patch(`/api/v1/conversations/${c.id}`).set(arash).send({ priority: 'low' }).expect(404);
  });

  it('lets agents take or release their own conversations, and supervisors assign within the department', async () => {
    const c = await ingest('assign-1', 'Database access', 'JSTOR asks me to log in.');
    const lenaId = agentIds[DEMO.agents[1].email];
    const samId = agentIds[DEMO.agents[0].email];
    const arashId = agentIds[DEMO.agents[2].email];

    const taken = await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: lenaId });
    expect(taken.status).toBe(200);
    expect(taken.body.assigneeId).toBe(lenaId);
    // An agent cannot hand it to someone else, nor take it from a colleague.
    await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: samId }).expect(403);
    await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(sam).send({ assigneeId: samId }).expect(200);
    await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: lenaId }).expect(403);
    await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: null }).expect(403);
    // Supervisors assign only to people of the conversation's department.
    const outsider = await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(sam)
      .send({ assigneeId: arashId })
      .expect(400);
    expect(outsider.body.code).toBe('assignee_not_in_department');
    await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(sam)
      .send({ assigneeId: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    const back = await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(sam).send({ assigneeId: lenaId });
    expect(back.body.assigneeId).toBe(lenaId);
    const released = await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: null });
    expect(released.status).toBe(200);
    expect(released.body.assigneeId).toBeNull();

    const assignments = (
      (await desk.http.get(`/api/v1/conversations/${c.id}/timeline`).set(sam).expect(200)).body as Array<{
        kind: string;
        authorAgentId: string | null;
        data: { type?: string; from?: string | null; to?: string | null };
      }>
    ).filter((m) => m.data.type === 'assigned');
    expect(assignments.map((m) => [m.data.from, m.data.to, m.authorAgentId])).toEqual([
      [null, lenaId, lenaId],
      [lenaId, samId, samId],
      [samId, lenaId, samId],
      [lenaId, null, lenaId],
    ]);
  });

  it('refuses a take on a stale view (ifAssigneeId) with 409 and changes nothing', async () => {
    const c = await ingest('assign-stale', 'Room booking', 'Can I book a study room?');
    const lenaId = agentIds[DEMO.agents[1].email];
    const samId = agentIds[DEMO.agents[0].email];
    // Both saw it unassigned; Sam is first.
    await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(sam)
      .send({ assigneeId: samId, ifAssigneeId: null })
      .expect(200);
    const late = await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(lena)
      .send({ assigneeId: lenaId, ifAssigneeId: null })
      .expect(409);
    expect(late.body).toMatchObject({ code: 'assignment_changed', detail: expect.stringMatching(/took/) });
    const now = await desk.http.get(`/api/v1/conversations/${c.id}`).set(lena).expect(200);
    expect(now.body.assigneeId).toBe(samId);
    // With the holder it saw, a supervisor's reassignment goes through; a malformed expectation is a 400.
    await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(sam)
      .send({ assigneeId: null, ifAssigneeId: samId })
      .expect(200);
    await desk.http
      .post(`/api/v1/conversations/${c.id}/assign`)
      .set(sam)
      .send({ assigneeId: samId, ifAssigneeId: 'somebody' })
      .expect(400);
  });

  it('transfers to another department with a note, tells both queues, and drops an assignee who does not work there', async () => {
    const c = await ingest('transfer-1', 'Overdue fine', 'I returned the book last week but still have a fine.');
    const lenaId = agentIds[DEMO.agents[1].email];
    await desk.http.post(`/api/v1/conversations/${c.id}/assign`).set(lena).send({ assigneeId: lenaId }).expect(200);
    const url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    const token = (auth: Auth) => auth.Authorization.replace('Bearer ', '');
    const lenaConsole = await connectConsole(url, token(lena));
    const arashConsole = await connectConsole(url, token(arash));
    try {
      await desk.http
        .post(`/api/v1/conversations/${c.id}/transfer`)
        .set(lena)
        .send({ departmentId: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      const moved = await desk.http
        .post(`/api/v1/conversations/${c.id}/transfer`)
        .set(lena)
        .send({ departmentId: departments.circulation, note: 'Fines are circulation’s; she returned it on the 14th.' })
        .expect(200);
      expect(moved.body).toMatchObject({ departmentId: departments.circulation, assigneeId: null });

      const heard = (received: Array<[string, unknown]>) =>
        received.some(
          ([e, p]) => e === 'conversation.updated' && (p as { conversationId: string }).conversationId === c.id,
        );
      const deadline = Date.now() + 5000;
      while (!(heard(lenaConsole.received) && heard(arashConsole.received)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(heard(lenaConsole.received)).toBe(true); // the old department drops it from its queue
      expect(heard(arashConsole.received)).toBe(true); // the new one picks it up

      // Now circulation's: Arash sees it with the note and the transfer; Lena no longer does.
      const timeline = (await desk.http.get(`/api/v1/conversations/${c.id}/timeline`).set(arash).expect(200))
        .body as Array<{ kind: string; text: string | null; data: { type?: string; unassigned?: string } }>;
      expect(timeline.find((m) => m.data.type === 'transferred')?.data).toMatchObject({
        from: departments.reference,
        to: departments.circulation,
        unassigned: lenaId,
      });
      expect(timeline.find((m) => m.kind === 'note')?.text).toContain('returned it on the 14th');
      await desk.http.get(`/api/v1/conversations/${c.id}`).set(lena).expect(404);
    } finally {
      lenaConsole.socket.disconnect();
      arashConsole.socket.disconnect();
    }
  });

  it('searches by words, tag and date, within what the caller may see', async () => {
    const herald = await ingest('search-1', 'Riverside Herald 1925', 'Do you keep it on microfilm?');
    await ingest('search-2', 'Card renewal', 'My card expires; can I renew it on microfilm day?', 'circulation');
    await ingest('search-3', 'Maps', 'Survey maps of the harbour');
    await desk.http
      .patch(`/api/v1/conversations/${herald.id}`)
      .set(lena)
      .send({ tags: ['Local history'] })
      .expect(200);

    expect(await list(lena, { q: 'microfilm' })).toEqual(['Riverside Herald 1925']); // circulation's is not hers
    expect(await list(admin, { q: 'microfilm' })).toEqual(['Card renewal', 'Riverside Herald 1925']);
    expect(await list(admin, { q: 'MICROFILM renew' })).toEqual(['Card renewal']);
    expect(await list(admin, { q: 'microfilm', departmentId: departments.circulation })).toEqual(['Card renewal']);
    expect(await list(admin, { tag: 'LOCAL HISTORY' })).toEqual(['Riverside Herald 1925']);
    expect(await list(admin, { q: 'harbour', status: 'new' })).toEqual(['Maps']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await list(admin, { q: 'harbour', from: today, to: today })).toEqual(['Maps']);
    expect(await list(admin, { q: 'harbour', to: '2020-01-01' })).toEqual([]);
    expect(await list(admin, { q: 'harbour', from: `${today}T00:00:00Z` })).toEqual(['Maps']);

    const bad = async (query: Record<string, string>, code?: string) => {
      const res = await desk.http.get('/api/v1/conversations').query(query).set(admin).expect(400);
      if (code) expect(res.body.code).toBe(code);
    };
    await bad({ q: '"*()' }, 'empty_search');
    await bad({ from: '2026-02-30' }, 'invalid_date');
    await bad({ from: 'yesterday' });
    await bad({ from: '2026-11-10', to: '2026-11-01' }, 'invalid_date_range');
    await bad({ q: 'x'.repeat(501) });
  });
});
