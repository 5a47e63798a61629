import { randomUUID } from 'node:crypto';
import { EmailIngestService } from '@readerdesk/channels';
import { InboxService } from '@readerdesk/conversations';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { libraryScope } from '@readerdesk/platform';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { connectConsole, ConnectedConsole, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

interface Rule {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Array<Record<string, unknown>>;
  actions: Record<string, unknown>;
}
interface ConversationBody {
  id: string;
  departmentId: string | null;
  priority: string;
  tags: string[];
  routingRuleId: string | null;
  requiredSkills: Record<string, string[]> | null;
  slaPolicyId: string | null;
}
interface TimelineEntry {
  kind: string;
  text: string | null;
  data: Record<string, unknown>;
}

describeWithDatabase('routing rules: REST, validation, routing of new contacts, dry run', () => {
  let desk: TestApp;
  let admin: { Authorization: string };
  let supervisor: { Authorization: string };
  let agent: { Authorization: string };
  let departments: Record<string, string>;
  let inboxId: string;
  let otherLibraryRuleId: string;
  let otherLibraryDepartmentId: string;
  let sequence = 0;

  const rules = async (): Promise<Rule[]> =>
    (await desk.http.get('/api/v1/routing-rules').set(admin).expect(200)).body as Rule[];

  const createRule = async (body: Record<string, unknown>): Promise<Rule> =>
    (await desk.http.post('/api/v1/routing-rules').set(admin).send(body).expect(201)).body as Rule;

  /** A contact through the API channel; answers the conversation it went to. */
  async function contact(
    fields: { subject?: string; text?: string; routing?: Record<string, unknown>; email?: string } = {},
  ): Promise<ConversationBody> {
    sequence += 1;
    const res = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(admin)
      .send({
        externalId: `routing-${sequence}`,
        handles: [{ kind: 'email', value: fields.email ?? `reader${sequence}@routing.example.org` }],
        subject: fields.subject,
        text: fields.text ?? 'A question',
        ...(fields.routing ? { routing: fields.routing } : {}),
      })
      .expect(201);
    return res.body.conversation as ConversationBody;
  }

  const timeline = async (id: string): Promise<TimelineEntry[]> =>
    (await desk.http.get(`/api/v1/conversations/${id}/timeline`).set(admin).expect(200)).body as TimelineEntry[];

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    supervisor = await desk.signIn(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    agent = await desk.signIn(DEMO.agents[1].email, DEMO_AGENT_PASSWORD);
    const list = (await desk.http.get('/api/v1/departments').set(admin).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    departments = Object.fromEntries(list.map((d) => [d.code, d.id]));
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(admin)
        .send({ channel: 'api', name: 'Web form', defaultDepartmentId: departments.reference })
        .expect(201)
    ).body.id;
    const data = new TestData(desk.database);
    const other = await data.library({ name: 'Elsewhere' });
    const otherDepartment = await data.department(other, { name: 'Elsewhere Reference' });
    otherLibraryDepartmentId = otherDepartment.id;
    const otherAdmin = await data.agent(other, {
      email: 'admin@elsewhere.routing.example.org',
      displayName: 'Elsewhere Admin',
      role: 'administrator',
      password: 'elsewhere-password',
      departments: [otherDepartment],
    });
    const elsewhere = await desk.signIn(otherAdmin.email, 'elsewhere-password');
    otherLibraryRuleId = (
      await desk.http
        .post('/api/v1/routing-rules')
        .set(elsewhere)
        .send({ name: 'Theirs', conditions: [], actions: { departmentId: otherDepartment.id } })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => desk?.close());

  it('seeds the demo rule (keywords → Inter-library loan); supervisors read rules, agents do not', async () => {
    const seeded = await rules();
    expect(seeded).toEqual([
      expect.objectContaining({
        name: 'Inter-library loan requests',
        position: 0,
        enabled: true,
        conditions: [{ field: 'keywords', op: 'anyOf', values: ['interlibrary loan', 'inter-library loan', 'ILL'] }],
        actions: { departmentId: departments.ill, tags: ['ill'] },
      }),
    ]);
    await desk.http.get('/api/v1/routing-rules').set(supervisor).expect(200);
    await desk.http.get('/api/v1/routing-rules').set(agent).expect(403);
    await desk.http
      .post('/api/v1/routing-rules')
      .set(supervisor)
      .send({ name: 'x', conditions: [], actions: { priority: 'high' } })
      .expect(403);
  });

  it('refuses invalid rules with 400 naming the field', async () => {
    const refused = async (body: Record<string, unknown>, field: string, code = 'invalid_routing_rule') => {
      const res = await desk.http.post('/api/v1/routing-rules').set(admin).send(body).expect(400);
      expect(res.body.code).toBe(code);
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    };
    const base = { name: 'Bad', conditions: [], actions: { priority: 'high' } };
    await refused(
      { ...base, conditions: [{ field: 'mood', op: 'in', values: ['x'] }] },
      'conditions.0.field',
      'validation_failed',
    );
    await refused(
      { ...base, conditions: [{ field: 'channel', op: 'contains', values: ['email'] }] },
      'conditions.0.op',
    );
    await refused({ ...base, conditions: [{ field: 'keywords', op: 'anyOf', values: [] }] }, 'conditions.0.values');
    await refused(
      { ...base, conditions: [{ field: 'keywords', op: 'anyOf', values: ['  ', '!!'] }] },
      'conditions.0.values',
    );
    await refused({ ...base, conditions: [{ field: 'channel', op: 'in', values: ['fax'] }] }, 'conditions.0.values');
    await refused({ ...base, conditions: [{ field: 'openNow', op: 'is' }] }, 'conditions.0.value');
    await refused(
      { ...base, conditions: [{ field: 'inbox', op: 'in', values: [randomUUID()] }] },
      'conditions.0.values',
    );
    await refused({ ...base, actions: {} }, 'actions');
    await refused({ ...base, actions: { tags: [] } }, 'actions');
    // A department that is gone (or never was) and another library's department read the same.
    await refused({ ...base, actions: { departmentId: randomUUID() } }, 'actions.departmentId');
    await refused({ ...base, actions: { departmentId: otherLibraryDepartmentId } }, 'actions.departmentId');
    await refused({ ...base, actions: { slaPolicyId: 'gold' } }, 'actions.slaPolicyId', 'validation_failed');
    // Nothing was stored.
    expect(await rules()).toHaveLength(1);
    // An edit is validated the same way.
    const [seeded] = await rules();
    const res = await desk.http
      .patch(`/api/v1/routing-rules/${seeded.id}`)
      .set(admin)
      .send({ actions: { departmentId: randomUUID() } })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'actions.departmentId' })]);
  });

  it("answers 404 for another library's rule, and leaves it alone", async () => {
    await desk.http.get(`/api/v1/routing-rules/${otherLibraryRuleId}`).set(admin).expect(404);
    await desk.http.patch(`/api/v1/routing-rules/${otherLibraryRuleId}`).set(admin).send({ name: 'Mine' }).expect(404);
    await desk.http.delete(`/api/v1/routing-rules/${otherLibraryRuleId}`).set(admin).expect(404);
    const mine = await rules();
    await desk.http
      .put('/api/v1/routing-rules/order')
      .set(admin)
      .send({ ids: [...mine.map((r) => r.id), otherLibraryRuleId] })
      .expect(404);
    expect(await rules()).toEqual(mine);
  });

  it('routes a new API contact by the first matching rule: department, priority, tags, skills, SLA, timeline', async () => {
    const slaPolicyId = randomUUID();
    const genealogy = await createRule({
      name: 'Genealogy questions',
      conditions: [
        { field: 'topic', op: 'in', values: ['Genealogy'] },
        { field: 'channel', op: 'in', values: ['api'] },
      ],
      actions: {
        departmentId: departments.reference,
        priority: 'high',
        tags: ['Family History'],
        slaPolicyId,
        requiredSkills: { subjects: ['genealogy'], languages: ['en'] },
      },
    });
    try {
      const routed = await contact({ text: 'My grandfather arrived in 1911', routing: { topic: 'genealogy' } });
      expect(routed).toMatchObject({
        departmentId: departments.reference,
        priority: 'high',
        tags: ['family history'],
        routingRuleId: genealogy.id,
        slaPolicyId,
        requiredSkills: { subjects: ['genealogy'], languages: ['en'] },
      });
      const entries = await timeline(routed.id);
      expect(entries.map((e) => e.kind)).toEqual(['inbound', 'event']);
      expect(entries[1]).toMatchObject({
        text: 'Routed to Reference by rule Genealogy questions',
        data: { type: 'routed', system: 'routing', ruleId: genealogy.id, departmentId: departments.reference },
      });

      // The demo rule comes first: an ILL question with the genealogy topic goes to ILL.
      const ill = await contact({
        subject: 'ILL request',
        text: 'Please borrow this',
        routing: { topic: 'genealogy' },
      });
      expect(ill).toMatchObject({ departmentId: departments.ill, tags: ['ill'], priority: 'normal' });
      expect((await timeline(ill.id))[1].text).toBe('Routed to Inter-library loan by rule Inter-library loan requests');
    } finally {
      await desk.http.delete(`/api/v1/routing-rules/${genealogy.id}`).set(admin).expect(204);
    }
  });

  it('routes on what the reader chose on the form (department, language, question type)', async () => {
    const chosen = await createRule({
      name: 'Chose circulation, in Spanish',
      conditions: [
        { field: 'chosenDepartment', op: 'in', values: [departments.circulation] },
        { field: 'language', op: 'in', values: ['es'] },
        { field: 'questionType', op: 'notIn', values: ['directional'] },
      ],
      actions: { departmentId: departments.circulation, requiredSkills: { languages: ['es'] } },
    });
    try {
      const routing = { chosenDepartmentId: departments.circulation, language: 'es-MX', questionType: 'policy' };
      expect(await contact({ text: 'Renovar mis libros', routing })).toMatchObject({
        departmentId: departments.circulation,
        routingRuleId: chosen.id,
        requiredSkills: { languages: ['es'] },
      });
      // The choice alone is a condition, not a destination.
      expect(await contact({ text: 'Renew my books', routing: { ...routing, language: 'en' } })).toMatchObject({
        departmentId: departments.reference,
        routingRuleId: null,
      });
    } finally {
      await desk.http.delete(`/api/v1/routing-rules/${chosen.id}`).set(admin).expect(204);
    }
  });

  it("announces a routed conversation to its department's room only, never to the inbox's default department", async () => {
    const url = await desk.app.getUrl();
    const token = async (email: string) =>
      (
        (await desk.http.post('/api/v1/auth/login').send({ email, password: DEMO_AGENT_PASSWORD }).expect(200))
          .body as { accessToken: string }
      ).accessToken;
    const consoles: ConnectedConsole[] = [];
    try {
      const lena = await connectConsole(url, await token(DEMO.agents[1].email)); // Reference, E-resources
      const sam = await connectConsole(url, await token(DEMO.agents[0].email)); // Reference, ILL
      consoles.push(lena, sam);
      const routed = await contact({ subject: 'ILL request', text: 'A thesis from Leiden, please' });
      await eventually(
        () => sam.received.filter(([event]) => event === 'message.appended').length >= 2,
        'the inbound message and the routed entry',
      );
      expect(sam.received.find(([event]) => event === 'conversation.opened')?.[1]).toMatchObject({
        conversationId: routed.id,
        departmentId: departments.ill,
      });
      const plain = await contact({ text: 'Is the reading room open?' });
      await eventually(
        () => lena.received.some(([, p]) => (p as { conversationId?: string }).conversationId === plain.id),
        'the plain contact on the Reference room',
      );
      expect(lena.received.filter(([, p]) => (p as { conversationId?: string }).conversationId === routed.id)).toEqual(
        [],
      );
    } finally {
      consoles.forEach((c) => c.socket.disconnect());
    }
  });

  it("leaves a contact no rule matches in the inbox's default department, with no timeline entry", async () => {
    const plain = await contact({ text: 'When do you open on Sunday?' });
    expect(plain).toMatchObject({
      departmentId: departments.reference,
      routingRuleId: null,
      tags: [],
      priority: 'normal',
    });
    expect((await timeline(plain.id)).map((e) => e.kind)).toEqual(['inbound']);
    // Whole words only: "illustrated" is not "ILL".
    expect((await contact({ text: 'Illustrated books for still life?' })).routingRuleId).toBeNull();
    // Only a new conversation is routed: a contact that continues one leaves it where it is.
    const email = `same.reader.${randomUUID()}@routing.example.org`;
    const first = await contact({ text: 'hello', email });
    const again = await contact({ text: 'and an interlibrary loan, please', email });
    expect(again).toMatchObject({ id: first.id, departmentId: departments.reference, routingRuleId: null });
    expect((await timeline(first.id)).map((e) => e.kind)).toEqual(['inbound', 'inbound']);
  });

  it('routes contacts stored together (the batch path) one by one', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, k) =>
        contact({ text: k % 2 === 0 ? `Inter-library loan number ${k}` : `Opening hours ${k}` }),
      ),
    );
    answers.forEach((c, k) => expect(c.departmentId).toBe(k % 2 === 0 ? departments.ill : departments.reference));
    const entries = await Promise.all(answers.map((c) => timeline(c.id)));
    entries.forEach((e, k) => expect(e.map((x) => x.kind)).toEqual(k % 2 === 0 ? ['inbound', 'event'] : ['inbound']));
  });

  it('routes inbound email through the same rules', async () => {
    const inbox = (
      await desk.http
        .post('/api/v1/inboxes/email')
        .set(admin)
        .send({ name: 'Ask', address: 'ask@routing.example.org', defaultDepartmentId: departments.circulation })
        .expect(201)
    ).body as { id: string };
    const row = await desk.app.get(InboxService).get(libraryScope(await libraryId()), inbox.id);
    const raw = (subject: string, id: string) =>
      Buffer.from(
        [
          'From: Maria Gonzalez <maria.routing@example.org>',
          'To: ask@routing.example.org',
          `Subject: ${subject}`,
          `Message-ID: <${id}@example.org>`,
          'Date: Tue, 01 Dec 2026 10:00:00 +0000',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Could you find this for me?',
          '',
        ].join('\r\n'),
      );
    const emails = desk.app.get(EmailIngestService);
    const routed = await emails.ingestRaw(row, raw('Prêt entre bibliothèques / Interlibrary loan', 'r1'), 'smtp');
    const plain = await emails.ingestRaw(row, raw('Renewing my books', 'r2'), 'smtp');
    if (routed.kind !== 'stored' || plain.kind !== 'stored') throw new Error('the mail was not stored');
    const get = async (id: string) =>
      (await desk.http.get(`/api/v1/conversations/${id}`).set(admin).expect(200)).body as ConversationBody;
    expect(await get(routed.conversationId)).toMatchObject({ departmentId: departments.ill, tags: ['ill'] });
    expect(await get(plain.conversationId)).toMatchObject({
      departmentId: departments.circulation,
      routingRuleId: null,
    });
  });

  it('uses a changed rule for the very next contact (the cache is dropped on change)', async () => {
    const rule = await createRule({
      name: 'Makerspace',
      conditions: [{ field: 'keywords', op: 'anyOf', values: ['3d printer'] }],
      actions: { departmentId: departments.eresources },
    });
    try {
      expect((await contact({ text: 'Is the 3D printer free?' })).departmentId).toBe(departments.eresources);
      await desk.http
        .patch(`/api/v1/routing-rules/${rule.id}`)
        .set(admin)
        .send({ actions: { departmentId: departments.childrens } })
        .expect(200);
      expect((await contact({ text: 'Is the 3D printer free?' })).departmentId).toBe(departments.childrens);
      await desk.http.patch(`/api/v1/routing-rules/${rule.id}`).set(admin).send({ enabled: false }).expect(200);
      expect((await contact({ text: 'Is the 3D printer free?' })).departmentId).toBe(departments.reference);
    } finally {
      await desk.http.delete(`/api/v1/routing-rules/${rule.id}`).set(admin).expect(204);
    }
  });

  it('keeps the order: create at a position, move, reorder; the first match wins', async () => {
    const [seeded] = await rules();
    const urgent = await createRule({
      name: 'Urgent ILL',
      position: 0,
      conditions: [{ field: 'keywords', op: 'anyOf', values: ['ILL'] }],
      actions: { priority: 'urgent' },
    });
    try {
      expect((await rules()).map((r) => [r.name, r.position])).toEqual([
        ['Urgent ILL', 0],
        ['Inter-library loan requests', 1],
      ]);
      // The first match wins: priority only, the department stays the inbox's.
      expect(await contact({ text: 'ILL please' })).toMatchObject({
        priority: 'urgent',
        departmentId: departments.reference,
        routingRuleId: urgent.id,
      });
      const reordered = await desk.http
        .put('/api/v1/routing-rules/order')
        .set(admin)
        .send({ ids: [seeded.id, urgent.id] })
        .expect(200);
      expect((reordered.body as Rule[]).map((r) => r.id)).toEqual([seeded.id, urgent.id]);
      expect(await contact({ text: 'ILL please' })).toMatchObject({
        priority: 'normal',
        departmentId: departments.ill,
        routingRuleId: seeded.id,
      });
      const incomplete = await desk.http
        .put('/api/v1/routing-rules/order')
        .set(admin)
        .send({ ids: [seeded.id] })
        .expect(400);
      expect(incomplete.body.errors).toEqual([expect.objectContaining({ field: 'ids' })]);
      await desk.http.patch(`/api/v1/routing-rules/${urgent.id}`).set(admin).send({ position: 0 }).expect(200);
      expect((await rules()).map((r) => r.id)).toEqual([urgent.id, seeded.id]);
    } finally {
      await desk.http.delete(`/api/v1/routing-rules/${urgent.id}`).set(admin).expect(204);
    }
    expect((await rules()).map((r) => [r.id, r.position])).toEqual([[seeded.id, 0]]);
  });

  it('answers a dry run with the matching rule, the decision and why the others did not match, storing nothing', async () => {
    const closed = await createRule({
      name: 'After hours',
      enabled: false,
      conditions: [{ field: 'openNow', op: 'is', value: false }],
      actions: { departmentId: departments.circulation },
    });
    try {
      const before = (await desk.http.get('/api/v1/conversations').set(admin).expect(200)).body;
      const ill = await desk.http
        .post('/api/v1/routing-rules/dry-run')
        .set(supervisor)
        .send({ inboxId, subject: 'Interlibrary loan', reader: { category: 'adult' } })
        .expect(200);
      expect(ill.body).toMatchObject({
        rule: { name: 'Inter-library loan requests' },
        decision: { departmentId: departments.ill, source: 'rule', tags: ['ill'], priority: 'normal' },
        rules: [
          { name: 'Inter-library loan requests', matched: true },
          { name: 'After hours', matched: false, reason: 'disabled' },
        ],
      });
      const none = await desk.http
        .post('/api/v1/routing-rules/dry-run')
        .set(supervisor)
        .send({ inboxId, text: 'Opening hours?' })
        .expect(200);
      expect(none.body).toMatchObject({
        rule: null,
        decision: { departmentId: departments.reference, source: 'inbox_default', tags: [] },
        rules: [
          { matched: false, reason: 'condition', failed: { index: 0, field: 'keywords' } },
          { reason: 'disabled' },
        ],
      });
      await desk.http
        .post('/api/v1/routing-rules/dry-run')
        .set(supervisor)
        .send({ inboxId: randomUUID(), text: 'x' })
        .expect(404);
      expect((await desk.http.get('/api/v1/conversations').set(admin).expect(200)).body).toEqual(before);
    } finally {
      await desk.http.delete(`/api/v1/routing-rules/${closed.id}`).set(admin).expect(204);
    }
  });

  async function libraryId(): Promise<string> {
    return (await desk.http.get('/api/v1/library').set(admin).expect(200)).body.id as string;
  }
});
