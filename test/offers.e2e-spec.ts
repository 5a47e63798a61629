import { randomUUID } from 'node:crypto';
import { Conversation } from '@readerdesk/conversations';
import { Offer } from '@readerdesk/offers';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { connectConsole, type ConnectedConsole, eventually } from './support/sockets';
import { createTestApp, type TestApp } from './support/test-app';

type Auth = { Authorization: string };
interface OfferEvent {
  offerId: string;
  mode: string;
  expiresAt: string | null;
  timeoutMs: number | null;
  conversation: { id: string; number: number; subject: string | null };
  reader: { id: string; displayName: string | null };
}

/**
 * Offers end to end on the desk as it runs (#14 item 3): a chat contact arrives, is routed to
 * Reference, offered to the agent idle the longest, times out, goes to the next agent, who accepts it
 * on their socket; the reply then stops the first-response clock. Then rejection, capacity, presence,
 * broadcast, direct assignment, overflow and bad input.
 */
describeWithDatabase('offers to agents', () => {
  let desk: TestApp;
  let admin: Auth;
  let reference: string;
  let circulation: string;
  let inboxId: string;
  const consoles: ConnectedConsole[] = [];
  const agents: Record<'ada' | 'ben' | 'cy', { id: string; auth: Auth; token: string; socket: ConnectedConsole }> =
    {} as never;
  let sequence = 0;

  const row = (id: string) => desk.database.manager.getRepository(Conversation).findOneByOrFail({ id });
  const offersOf = (conversationId: string) =>
    desk.database.manager.getRepository(Offer).find({ where: { conversationId }, order: { offeredAt: 'ASC' } });
  const baseUrl = () => `http://127.0.0.1:${(desk.app.getHttpServer().address() as { port: number }).port}`;

  async function contact(name = 'Reader'): Promise<string> {
    sequence += 1;
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `offers-${sequence}-${randomUUID()}`,
        handles: [{ kind: 'email', value: `offers${sequence}-${randomUUID()}@example.org` }],
        displayName: name,
        text: `Question ${sequence}`,
      })
      .expect(201);
    return res.body.conversation.id as string;
  }

  const presence = (who: keyof typeof agents, to: string) =>
    desk.http.put('/api/v1/agents/me/presence').set(agents[who].auth).send({ presence: to }).expect(200);
  const settings = (departmentId: string, body: Record<string, unknown>) =>
    desk.http.put(`/api/v1/departments/${departmentId}/offer-settings`).set(admin).send(body);
  const offered = (who: keyof typeof agents, conversationId: string) =>
    agents[who].socket.received
      .filter(([name, p]) => name === 'offer.created' && (p as OfferEvent).conversation.id === conversationId)
      .map(([, p]) => p as OfferEvent);
  const ended = (who: keyof typeof agents, offerId: string) =>
    agents[who].socket.received.find(
      ([name, p]) => name === 'offer.ended' && (p as { offerId: string }).offerId === offerId,
    )?.[1] as { reason: string } | undefined;
  const ack = (who: keyof typeof agents, event: 'offer.accept' | 'offer.reject', offerId: string) =>
    new Promise<{ ok: boolean; error?: string }>((resolve) =>
      agents[who].socket.socket.emit(event, { offerId }, resolve),
    );

  async function allAway(): Promise<void> {
    for (const who of Object.keys(agents) as Array<keyof typeof agents>) await presence(who, 'away');
    // Whatever earlier tests left waiting leaves the queue, so that each test hands out only its own.
    const waiting = await desk.database.manager.getRepository(Conversation).find({ where: { status: 'new' } });
    for (const c of waiting)
      await desk.http
        .post(`/api/v1/conversations/${c.id}/status`)
        .set(admin)
        .send({ status: 'resolved', readLevel: 1, questionType: 'directional' });
  }

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const departments = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    reference = departments.find((d) => d.code === 'reference')!.id;
    circulation = departments.find((d) => d.code === 'circulation')!.id;
    for (const [who, departmentIds] of [
      ['ada', [reference]],
      ['ben', [reference]],
      ['cy', [circulation]],
    ] as const) {
      const email = `${who}.offers@demo.readerdesk.org`;
      const created = await desk.http
        .post('/api/v1/agents')
        .set(admin)
        .send({ email, displayName: who, role: 'agent', password: 'a-long-enough-password', departmentIds })
        .expect(201);
      const auth = await desk.signIn(email, 'a-long-enough-password');
      const token = auth.Authorization.slice('Bearer '.length);
      const socket = await connectConsole(baseUrl(), token);
      consoles.push(socket);
      agents[who] = { id: created.body.id as string, auth, token, socket };
    }
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'chat', name: 'Offers chat', defaultDepartmentId: reference })
        .expect(201)
    ).body.id as string;
    await desk.http
      .post('/api/v1/sla-policies')
      .set(admin)
      .send({ name: 'Chat', channel: 'chat', firstResponseMinutes: 10, businessHours: false })
      .expect(201);
    await settings(reference, { timeouts: { chat: 2 } }).expect(200);
  });

  afterAll(async () => {
    for (const c of consoles) c.socket.disconnect();
    await desk?.close();
  });

  it('offers to the agent idle the longest, hands on at the timeout, and the accepted reply stops the first-response clock', async () => {
    await allAway();
    await presence('ada', 'available');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await presence('ben', 'available');
    const id = await contact('Nasrin Karimi');
    await eventually(() => offered('ada', id).length === 1, 'the offer on Ada’s socket');
    const first = offered('ada', id)[0];
    expect(first).toMatchObject({ mode: 'offer', reader: { displayName: 'Nasrin Karimi' } });
    expect(first.timeoutMs).toBeGreaterThan(0);
    expect(first.timeoutMs).toBeLessThanOrEqual(2000);
    expect(offered('ben', id)).toHaveLength(0);
    expect((await desk.http.get('/api/v1/offers').set(agents.ada.auth).expect(200)).body).toEqual([
      expect.objectContaining({ id: first.offerId, conversationId: id, status: 'pending' }),
    ]);

    // Nobody answers: at two seconds the offer times out and Ben is offered it.
    await eventually(() => offered('ben', id).length === 1, 'the offer handed on to Ben', 8000);
    expect(ended('ada', first.offerId)).toMatchObject({ reason: 'timed_out' });
    const late = await desk.http.post(`/api/v1/offers/${first.offerId}/accept`).set(agents.ada.auth).expect(409);
    expect(late.body).toMatchObject({ code: 'offer_ended', reason: 'timed_out' });

    const second = offered('ben', id)[0];
    expect(await ack('ben', 'offer.accept', second.offerId)).toEqual({ ok: true });
    expect((await row(id)).assigneeId).toBe(agents.ben.id);
    expect((await desk.http.get('/api/v1/offers').set(agents.ben.auth).expect(200)).body).toEqual([]);
    expect(await ack('ben', 'offer.accept', second.offerId)).toEqual({ ok: false, error: 'offer_ended' });

    expect((await row(id)).firstResponseMs).toBeNull();
    await desk.http
      .post(`/api/v1/conversations/${id}/replies`)
      .set(agents.ben.auth)
      .send({ text: 'Here is the answer' })
      .expect(201);
    // The SLA's consumer records the first response (in the worker's time on PostgreSQL + Redis).
    let answered = await row(id);
    for (let i = 0; i < 100 && answered.firstResponseMs === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answered = await row(id);
    }
    expect(answered.firstResponseAt).not.toBeNull();
    expect(answered.firstResponseMs).not.toBeNull();
    expect((await offersOf(id)).map((o) => [o.agentId, o.status, o.endReason])).toEqual([
      [agents.ada.id, 'ended', 'timed_out'],
      [agents.ben.id, 'accepted', null],
    ]);
  });

  it('a rejection goes to the next agent; only the agent offered may answer, another library’s id is unknown', async () => {
    await allAway();
    await presence('ada', 'available');
    await presence('ben', 'available');
    const id = await contact();
    await eventually(() => offered('ada', id).length + offered('ben', id).length === 1, 'one offer');
    const [holder, other] = offered('ada', id).length === 1 ? (['ada', 'ben'] as const) : (['ben', 'ada'] as const);
    const offer = offered(holder, id)[0];
    const theirs = await desk.http.post(`/api/v1/offers/${offer.offerId}/accept`).set(agents[other].auth).expect(409);
    expect(theirs.body.code).toBe('offer_not_yours');
    await desk.http.post(`/api/v1/offers/${randomUUID()}/accept`).set(agents[other].auth).expect(404);
    await desk.http.post(`/api/v1/offers/${offer.offerId}/reject`).set(agents[holder].auth).expect(200);
    await eventually(() => offered(other, id).length === 1, 'the offer to the other agent');
    expect(ended(holder, offer.offerId)).toMatchObject({ reason: 'rejected' });
    // The agent who declined is not offered it again at once when the other lets it go.
    await desk.http
      .post(`/api/v1/offers/${offered(other, id)[0].offerId}/reject`)
      .set(agents[other].auth)
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(offered(holder, id)).toHaveLength(1);
    expect((await row(id)).assigneeId).toBeNull();
  });

  it('never offers past capacity: the next conversation waits until the agent frees a place', async () => {
    await allAway();
    await desk.http
      .patch(`/api/v1/agents/${agents.ada.id}`)
      .set(admin)
      .send({ capacity: { voice: 1, video: 1, chat: 1, sms: 5, email: 10 } })
      .expect(200);
    try {
      await presence('ada', 'available');
      const first = await contact();
      const second = await contact();
      await eventually(() => offered('ada', first).length === 1, 'the first offer');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(offered('ada', second)).toHaveLength(0);
      expect(await ack('ada', 'offer.accept', offered('ada', first)[0].offerId)).toEqual({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(offered('ada', second)).toHaveLength(0);
      await desk.http
        .post(`/api/v1/conversations/${first}/status`)
        .set(agents.ada.auth)
        .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
        .expect(200);
      await eventually(() => offered('ada', second).length === 1, 'the second offer once the first is resolved');
    } finally {
      await desk.http
        .patch(`/api/v1/agents/${agents.ada.id}`)
        .set(admin)
        .send({ capacity: { voice: 1, video: 1, chat: 3, sms: 5, email: 10 } })
        .expect(200);
    }
  });

  it('an agent going away hands their pending offer on', async () => {
    await allAway();
    await presence('ada', 'available');
    const id = await contact();
    await eventually(() => offered('ada', id).length === 1, 'the offer to Ada');
    await presence('ben', 'available');
    await presence('ada', 'away');
    await eventually(() => offered('ben', id).length === 1, 'the offer handed to Ben');
    expect(ended('ada', offered('ada', id)[0].offerId)).toMatchObject({ reason: 'agent_unavailable' });
  });

  it('broadcast offers to every eligible agent; the first to accept wins and the others’ offers end', async () => {
    await allAway();
    await settings(reference, { mode: 'broadcast' }).expect(200);
    try {
      await presence('ada', 'available');
      await presence('ben', 'available');
      const id = await contact();
      await eventually(() => offered('ada', id).length === 1 && offered('ben', id).length === 1, 'both offers');
      expect(offered('ada', id)[0]).toMatchObject({ mode: 'broadcast', expiresAt: null });
      const [ada, ben] = [offered('ada', id)[0].offerId, offered('ben', id)[0].offerId];
      const answers = await Promise.all([ack('ada', 'offer.accept', ada), ack('ben', 'offer.accept', ben)]);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      const winner = answers[0].ok ? 'ada' : 'ben';
      const loser = winner === 'ada' ? 'ben' : 'ada';
      expect((await row(id)).assigneeId).toBe(agents[winner].id);
      await eventually(() => ended(loser, offered(loser, id)[0].offerId) !== undefined, 'the loser’s offer ended');
      expect(ended(loser, offered(loser, id)[0].offerId)).toMatchObject({ reason: 'taken_elsewhere' });
    } finally {
      await settings(reference, { mode: 'offer' }).expect(200);
    }
  });

  it('a channel without an offer timeout is assigned directly within capacity', async () => {
    await allAway();
    await settings(reference, { timeouts: { chat: null } }).expect(200);
    try {
      await presence('ben', 'available');
      const id = await contact();
      await eventually(() => offered('ben', id).length === 1, 'the offer record');
      await eventually(() => agents.ben.socket.received.some(([n]) => n === 'offer.accepted'), 'offer.accepted');
      expect((await row(id)).assigneeId).toBe(agents.ben.id);
    } finally {
      await settings(reference, { timeouts: { chat: 2 } }).expect(200);
    }
  });

  it('overflow moves a conversation nobody takes in time, and it is offered in the new department', async () => {
    await allAway();
    await settings(reference, { overflow: { afterSeconds: 1, departmentId: circulation, action: 'move' } }).expect(200);
    try {
      await presence('cy', 'available');
      const id = await contact();
      await eventually(() => offered('cy', id).length === 1, 'the offer to Cy in Circulation', 10_000);
      expect((await row(id)).departmentId).toBe(circulation);
    } finally {
      await settings(reference, { overflow: null }).expect(200);
    }
  });

  it('refuses bad settings with the field named, and another library’s department as unknown', async () => {
    const zero = await settings(reference, { timeouts: { chat: 0 } }).expect(400);
    expect(JSON.stringify(zero.body)).toContain('timeouts.chat');
    const unknown = await settings(reference, { timeouts: { fax: 10 } }).expect(400);
    expect(JSON.stringify(unknown.body)).toContain('timeouts.fax');
    const self = await settings(reference, {
      overflow: { afterSeconds: 10, departmentId: reference, action: 'move' },
    }).expect(400);
    expect(JSON.stringify(self.body)).toContain('overflow.departmentId');
    await settings(reference, { mode: 'sometimes' }).expect(400);
    await settings(randomUUID(), { mode: 'manual' }).expect(404);
    await settings(reference, { overflow: { afterSeconds: 10, departmentId: randomUUID(), action: 'move' } }).expect(
      404,
    );
    await desk.http.put(`/api/v1/departments/${reference}/offer-settings`).set(agents.ada.auth).send({}).expect(403);
    expect(
      (await desk.http.get(`/api/v1/departments/${reference}/offer-settings`).set(admin).expect(200)).body,
    ).toMatchObject({
      mode: 'offer',
      agentOrder: 'longest_idle',
      timeouts: { chat: 2, voice: 30, email: null },
      overflow: null,
    });
  });
});
