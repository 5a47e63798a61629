import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('a conversation walked through the REST API', () => {
  let desk: TestApp;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  let inboxId: string;

  const bearer = async (email: string, password: string) => ({
    Authorization: `Bearer ${(await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken}`,
  });

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await bearer(DEMO_ADMIN.email, DEMO_ADMIN.password);
    agent = await bearer(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    await desk.http.post('/api/v1/inboxes').set(agent).send({ channel: 'api', name: 'Website form' }).expect(403);
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Website form', defaultDepartmentId: reference.id })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => desk?.close());

  it('ingests once per external id, replies, notes, resolves with READ statistics and shows the timeline', async () => {
    const message = {
      externalId: 'form-1001',
      handles: [{ kind: 'email', value: 'maria.gonzalez@example.org' }],
      subject: 'Local history sources',
      html: '<p>Where can I find <b>1920s</b> newspapers?</p><script>steal()</script>',
    };
    const first = await desk.http.post(`/api/v1/inboxes/${inboxId}/messages`).set(admin).send(message).expect(201);
    const again = await desk.http.post(`/api/v1/inboxes/${inboxId}/messages`).set(admin).send(message).expect(200);
    expect(again.body).toMatchObject({ duplicate: true, message: { id: first.body.message.id } });
    expect(first.body.message.html).not.toContain('script');
    const id = first.body.conversation.id as string;
    expect(first.body.conversation).toMatchObject({ status: 'new', subject: 'Local history sources' });

    await desk.http
      .post(`/api/v1/conversations/${id}/notes`)
      .set(agent)
      .send({ text: 'Microfilm in Central, 2nd floor' })
      .expect(201);
    await desk.http
      .post(`/api/v1/conversations/${id}/replies`)
      .set(agent)
      .send({ text: 'Our microfilm collection has them.' })
      .expect(201);
    const pending = await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200);
    expect(pending.body).toMatchObject({ status: 'pending', waitingSince: null });
    expect(pending.body.firstResponseAt).not.toBeNull();

    const bad = await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(agent)
      .send({ status: 'resolved', readLevel: 9 })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('readLevel');
    const resolved = await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(agent)
      .send({ status: 'resolved', readLevel: 3, questionType: 'research' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', readLevel: 3, questionType: 'research' });
    await desk.http.post(`/api/v1/conversations/${id}/status`).set(agent).send({ status: 'new' }).expect(409);

    const timeline = await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(agent).expect(200);
    expect(timeline.body.map((m: { kind: string }) => m.kind)).toEqual(['inbound', 'note', 'outbound', 'event']);
  });

  it("hides another library's conversations and inboxes behind 404", async () => {
    await desk.http.get(`/api/v1/conversations/${randomUUID()}`).set(agent).expect(404);
    await desk.http
      .post(`/api/v1/inboxes/${randomUUID()}/messages`)
      .set(admin)
      .send({ externalId: 'x', handles: [{ kind: 'chat', value: 's' }], text: 'hi' })
      .expect(404);
  });

  it("keeps a department's conversations from agents of other departments (404), not from administrators", async () => {
    const created = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: 'form-2002',
        handles: [{ kind: 'email', value: 'wang.fang@example.org' }],
        text: 'Thesis sources?',
      })
      .expect(201);
    const id = created.body.conversation.id as string;
    const circulation = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    await desk.http.get(`/api/v1/conversations/${id}`).set(circulation).expect(404);
    await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(circulation).expect(404);
    await desk.http.post(`/api/v1/conversations/${id}/replies`).set(circulation).send({ text: 'hi' }).expect(404);
    await desk.http.get(`/api/v1/conversations/${id}`).set(agent).expect(200);
    await desk.http.get(`/api/v1/conversations/${id}`).set(admin).expect(200);
  });

  it('lists conversations newest first in stable cursor pages, with filters and department scoping', async () => {
    for (let i = 0; i < 5; i += 1) {
      await desk.http
        .post(`/api/v1/inboxes/${inboxId}/messages`)
        .set(admin)
        .send({
          externalId: `page-${i}`,
          handles: [{ kind: 'email', value: `page${i}@example.org` }],
          text: `Question ${i}`,
        })
        .expect(201);
    }
    const all = (await desk.http.get('/api/v1/conversations?limit=100').set(admin).expect(200)).body.items as Array<{
      id: string;
      lastMessageAt: string;
    }>;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await desk.http
        .get(`/api/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((c) => c.id));
    expect(new Set(seen).size).toBe(seen.length);
    const times = all.map((c) => Date.parse(c.lastMessageAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const resolved = (await desk.http.get('/api/v1/conversations?status=resolved').set(admin).expect(200)).body
      .items as Array<{ status: string }>;
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((c) => c.status === 'resolved')).toBe(true);
    const circulation = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    expect((await desk.http.get('/api/v1/conversations').set(circulation).expect(200)).body.items).toEqual([]);
    await desk.http.get('/api/v1/conversations?cursor=not-a-cursor').set(admin).expect(400);
    await desk.http.get('/api/v1/conversations?limit=1000').set(admin).expect(400);
  });

  it('sorts by due time, wait and opening, pages each order without a gap, filters the queue and counts its views', async () => {
    type Row = {
      id: string;
      status: string;
      priority: string;
      channel: string;
      assigneeId: string | null;
      createdAt: string;
      waitingSince: string | null;
      sla: { firstResponseDueAt: string | null; nextResponseDueAt: string | null; resolutionDueAt: string | null };
    };
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      // The last three open under an SLA policy (24 h, wall clock), so the due order has times and blanks.
      if (i === 3) {
        await desk.http
          .post('/api/v1/sla-policies')
          .set(admin)
          .send({ name: 'Sorting', firstResponseMinutes: 1440, businessHours: false })
          .expect(201);
      }
      const posted = await desk.http
        .post(`/api/v1/inboxes/${inboxId}/messages`)
        .set(admin)
        .send({
          externalId: `sort-${i}`,
          handles: [{ kind: 'email', value: `sort${i}@example.org` }],
          text: `Sort ${i}`,
        })
        .expect(201);
      ids.push(posted.body.conversation.id as string);
    }
    const me = (await desk.http.get('/api/v1/auth/me').set(agent).expect(200)).body as { id: string };
    // One held by the agent and answered (not waiting any more), one urgent, one resolved.
    await desk.http.post(`/api/v1/conversations/${ids[0]}/assign`).set(admin).send({ assigneeId: me.id }).expect(200);
    await desk.http.post(`/api/v1/conversations/${ids[0]}/replies`).set(agent).send({ text: 'On it.' }).expect(201);
    await desk.http.patch(`/api/v1/conversations/${ids[1]}`).set(admin).send({ priority: 'urgent' }).expect(200);
    await desk.http
      .post(`/api/v1/conversations/${ids[2]}/status`)
      .set(admin)
      .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
      .expect(200);

    const list = async (query: string, as = admin): Promise<Row[]> =>
      (await desk.http.get(`/api/v1/conversations?limit=100&${query}`).set(as).expect(200)).body.items as Row[];
    const pages = async (query: string): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Row[]; nextCursor: string | null } } = await desk.http
          .get(`/api/v1/conversations?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`)
          .set(admin)
          .expect(200);
        seen.push(...page.body.items.map((c) => c.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      return seen;
    };
    const keyed = (rows: Row[], key: (r: Row) => string | null, direction: 1 | -1): string[] =>
      [...rows]
        .sort((a, b) => {
          const [ka, kb] = [key(a), key(b)];
          if (ka === null || kb === null)
            return ka === kb ? direction * a.id.localeCompare(b.id) : ka === null ? 1 : -1;
          return direction * (Date.parse(ka) - Date.parse(kb) || a.id.localeCompare(b.id));
        })
        .map((r) => r.id);
    const due = (r: Row) => r.sla.firstResponseDueAt ?? r.sla.nextResponseDueAt ?? r.sla.resolutionDueAt;
    // The SLA clocks start just after the ingestion commits.
    const deadline = Date.now() + 10_000;
    let everything = await list('');
    while (everything.filter((r) => ids.slice(3).includes(r.id) && due(r) !== null).length < 3) {
      if (Date.now() > deadline) throw new Error('the SLA policy gave no due times');
      await new Promise((resolve) => setTimeout(resolve, 50));
      everything = await list('');
    }
    expect(everything.filter((r) => due(r) === null).length).toBeGreaterThan(0);
    for (const [sort, key, direction] of [
      ['due', due, 1],
      ['waiting', (r: Row) => r.waitingSince, 1],
      ['newest', (r: Row) => r.createdAt, -1],
    ] as const) {
      const expected = keyed(everything, key, direction);
      expect({ sort, ids: (await list(`sort=${sort}`)).map((r) => r.id) }).toEqual({ sort, ids: expected });
      expect({ sort, ids: await pages(`sort=${sort}`) }).toEqual({ sort, ids: expected });
    }
    // The answered one waits no more: last when sorting by wait.
    const byWait = await list('sort=waiting&status=new,open,pending');
    expect(byWait[byWait.length - 1].id).toBe(ids[0]);
    // A cursor belongs to its order.
    const first: { body: { nextCursor: string } } = await desk.http
      .get('/api/v1/conversations?limit=1&sort=due')
      .set(admin)
      .expect(200);
    await desk.http.get(`/api/v1/conversations?sort=newest&cursor=${first.body.nextCursor}`).set(admin).expect(400);
    await desk.http.get('/api/v1/conversations?sort=loudest').set(admin).expect(400);

    const open = await list('status=new,open,pending');
    expect(open.map((r) => r.id)).toEqual(expect.arrayContaining([ids[0], ids[1], ids[3]]));
    expect(open.map((r) => r.id)).not.toContain(ids[2]);
    expect(open.every((r) => ['new', 'open', 'pending'].includes(r.status))).toBe(true);
    await desk.http.get('/api/v1/conversations?status=open,shouting').set(admin).expect(400);
    expect((await list('priority=urgent')).map((r) => r.id)).toEqual([ids[1]]);
    expect((await list('channel=sms')).map((r) => r.id)).toEqual([]);
    await desk.http.get('/api/v1/conversations?channel=pigeon').set(admin).expect(400);
    const unassigned = await list('status=new,open,pending&assigneeId=none');
    expect(unassigned.every((r) => r.assigneeId === null)).toBe(true);
    expect(unassigned.map((r) => r.id)).not.toContain(ids[0]);
    const held = (await list(`assigneeId=${me.id}`, agent)).map((r) => r.id);
    expect(held).toContain(ids[0]);
    expect(held.sort()).toEqual(
      everything
        .filter((r) => r.assigneeId === me.id)
        .map((r) => r.id)
        .sort(),
    );
    await desk.http.get('/api/v1/conversations?assigneeId=nobody').set(admin).expect(400);

    const counts = (await desk.http.get('/api/v1/conversations/counts').set(agent).expect(200)).body;
    const visible = await list('', agent);
    const openVisible = visible.filter((r) => ['new', 'open', 'pending'].includes(r.status));
    expect(counts).toEqual({
      mine: openVisible.filter((r) => r.assigneeId === me.id).length,
      unassigned: openVisible.filter((r) => r.assigneeId === null).length,
      departments: openVisible.length,
      all: visible.length,
    });
    // Another department's agent counts none of them.
    const circulation = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    expect((await desk.http.get('/api/v1/conversations/counts').set(circulation).expect(200)).body).toEqual({
      mine: 0,
      unassigned: 0,
      departments: 0,
      all: 0,
    });
  });
});
