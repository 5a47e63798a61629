import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { libraryScope } from '@readerdesk/platform';
import { StaffAdminService } from '@readerdesk/staff';
import { describeWithDatabase, TestData } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('library administration and tenant isolation', () => {
  let desk: TestApp;
  let admin: string;
  let supervisor: string;
  let agent: string;
  let otherAdmin: string;

  const token = async (email: string, password: string): Promise<string> =>
    (await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken as string;
  const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}` });

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await token(DEMO_ADMIN.email, DEMO_ADMIN.password);
    supervisor = await token(DEMO.agents[0].email, DEMO_AGENT_PASSWORD);
    agent = await token(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    // A second library in the same deployment, with its own administrator.
    const other = libraryScope(randomUUID());
    await new TestData(desk.database).library({
      id: other.libraryId,
      slug: 'hilltop',
      name: 'Hilltop Library',
      defaultCountry: 'GB',
      timeZone: 'Europe/London',
    });
    await desk.app.get(StaffAdminService).createAgent(other, {
      email: 'admin@hilltop.example.org',
      displayName: 'Hilltop admin',
      role: 'administrator',
      password: 'hilltop-admin-password',
      departmentIds: [],
    });
    otherAdmin = await token('admin@hilltop.example.org', 'hilltop-admin-password');
  });
  afterAll(async () => desk?.close());

  it('lets every member of staff read their library, branches and departments', async () => {
    const library = await desk.http.get('/api/v1/library').set(as(agent)).expect(200);
    expect(library.body).toMatchObject({ slug: 'demo', timeZone: 'America/New_York' });
    const branches = await desk.http.get('/api/v1/branches').set(as(agent)).expect(200);
    expect(branches.body).toHaveLength(2);
    const departments = await desk.http.get('/api/v1/departments').set(as(agent)).expect(200);
    expect(departments.body).toHaveLength(5);
  });

  it('keeps changes to administrators and the staff list to supervisors', async () => {
    const denied = await desk.http
      .post('/api/v1/branches')
      .set(as(supervisor))
      .send({ code: 'x', name: 'X', timeZone: 'UTC' })
      .expect(403);
    expect(denied.body.code).toBe('forbidden');
    await desk.http.get('/api/v1/agents').set(as(agent)).expect(403);
    const staff = await desk.http.get('/api/v1/agents').set(as(supervisor)).expect(200);
    expect(staff.body.map((a: { email: string }) => a.email)).toContain(DEMO.agents[2].email);
  });

  it('creates a branch, refusing an unknown time zone and a duplicate code', async () => {
    const created = await desk.http
      .post('/api/v1/branches')
      .set(as(admin))
      .send({ code: 'harbour', name: 'Harbour', timeZone: 'America/Denver' })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'harbour', timeZone: 'America/Denver' });
    const badZone = await desk.http
      .post('/api/v1/branches')
      .set(as(admin))
      .send({ code: 'moon', name: 'Moon', timeZone: 'Mars/Olympus' })
      .expect(400);
    expect(badZone.body.code).toBe('invalid_time_zone');
    const dup = await desk.http
      .post('/api/v1/branches')
      .set(as(admin))
      .send({ code: 'harbour', name: 'Again', timeZone: 'UTC' })
      .expect(409);
    expect(dup.body.code).toBe('duplicate_code');
  });

  it('creates an agent in departments of the library, and not in another library’s', async () => {
    const departments = (await desk.http.get('/api/v1/departments').set(as(admin)).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!;
    const created = await desk.http
      .post('/api/v1/agents')
      .set(as(admin))
      .send({
        email: 'New.Agent@demo.readerdesk.org',
        displayName: 'New Agent',
        role: 'agent',
        password: 'a-long-enough-password',
        departmentIds: [reference.id],
      })
      .expect(201);
    expect(created.body).toMatchObject({ email: 'new.agent@demo.readerdesk.org', departmentIds: [reference.id] });
    await token('new.agent@demo.readerdesk.org', 'a-long-enough-password');
    await desk.http
      .post('/api/v1/agents')
      .set(as(otherAdmin))
      .send({
        email: 'spy@hilltop.example.org',
        displayName: 'Spy',
        role: 'agent',
        password: 'a-long-enough-password',
        departmentIds: [reference.id],
      })
      .expect(404);
  });

  it("never shows or changes another library's rows: they answer 404 like rows that do not exist", async () => {
    const theirs = await desk.http.get('/api/v1/branches').set(as(otherAdmin)).expect(200);
    expect(theirs.body).toEqual([]);
    const demoBranch = (
      (await desk.http.get('/api/v1/branches').set(as(admin)).expect(200)).body as Array<{ id: string }>
    )[0];
    const foreign = await desk.http
      .patch(`/api/v1/branches/${demoBranch.id}`)
      .set(as(otherAdmin))
      .send({ name: 'Taken over' })
      .expect(404);
    const missing = await desk.http
      .patch(`/api/v1/branches/${randomUUID()}`)
      .set(as(otherAdmin))
      .send({ name: 'Taken over' })
      .expect(404);
    expect(foreign.body.detail).toBe(missing.body.detail);
    expect((await desk.http.get('/api/v1/library').set(as(otherAdmin)).expect(200)).body.slug).toBe('hilltop');
  });

  it("puts a department in a branch of the library, refusing another library's branch or an unknown one, naming branchId", async () => {
    const branches = (await desk.http.get('/api/v1/branches').set(as(admin)).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const lakeside = branches.find((b) => b.code === 'lakeside')!.id;
    // The demo's departments are each in a branch (it has two).
    const seeded = (await desk.http.get('/api/v1/departments').set(as(admin)).expect(200)).body as Array<{
      code: string;
      branchId: string | null;
    }>;
    expect(seeded.find((d) => d.code === 'childrens')!.branchId).toBe(lakeside);
    expect(seeded.every((d) => branches.some((b) => b.id === d.branchId))).toBe(true);

    const hilltopBranch = await desk.http
      .post('/api/v1/branches')
      .set(as(otherAdmin))
      .send({ code: 'hill', name: 'Hill', timeZone: 'Europe/London' })
      .expect(201);
    for (const branchId of [hilltopBranch.body.id as string, randomUUID()]) {
      const refused = await desk.http
        .post('/api/v1/departments')
        .set(as(admin))
        .send({ code: 'outreach', name: 'Outreach', branchId })
        .expect(400);
      expect(refused.body).toMatchObject({ code: 'invalid_department' });
      expect(refused.body.errors).toEqual([
        { field: 'branchId', message: `no such branch in this library: ${branchId}` },
      ]);
    }
    const notUuid = await desk.http
      .post('/api/v1/departments')
      .set(as(admin))
      .send({ code: 'outreach', name: 'Outreach', branchId: 'lakeside' })
      .expect(400);
    expect(notUuid.body.errors).toEqual([expect.objectContaining({ field: 'branchId' })]);

    const created = await desk.http
      .post('/api/v1/departments')
      .set(as(admin))
      .send({ code: 'outreach', name: 'Outreach', branchId: lakeside })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'outreach', branchId: lakeside });
    const moved = await desk.http
      .patch(`/api/v1/departments/${created.body.id}`)
      .set(as(admin))
      .send({ branchId: hilltopBranch.body.id })
      .expect(400);
    expect(moved.body.errors).toEqual([expect.objectContaining({ field: 'branchId' })]);
    const detached = await desk.http
      .patch(`/api/v1/departments/${created.body.id}`)
      .set(as(admin))
      .send({ branchId: null })
      .expect(200);
    expect(detached.body).toMatchObject({ code: 'outreach', branchId: null });
    const unchanged = await desk.http
      .patch(`/api/v1/departments/${created.body.id}`)
      .set(as(admin))
      .send({ name: 'Outreach services' })
      .expect(200);
    expect(unchanged.body).toMatchObject({ name: 'Outreach services', branchId: null });
  });

  it('keeps presence with its history, default capacities per channel, and lets administrators set skills and capacity', async () => {
    await desk.http
      .put('/api/v1/agents/me/presence')
      .set(as(agent))
      .send({ presence: 'available' })
      .expect(200, { presence: 'available' });
    await desk.http.put('/api/v1/agents/me/presence').set(as(agent)).send({ presence: 'away' }).expect(200);
    await desk.http.put('/api/v1/agents/me/presence').set(as(agent)).send({ presence: 'asleep' }).expect(400);
    const staff = (await desk.http.get('/api/v1/agents').set(as(supervisor)).expect(200)).body as Array<{
      id: string;
      email: string;
      presence: string;
      capacity: Record<string, number>;
    }>;
    const me = staff.find((a) => a.email === DEMO.agents[2].email)!;
    expect(me.presence).toBe('away');
    expect(me.capacity).toEqual({ voice: 1, video: 1, chat: 3, sms: 5, email: 10 });
    const history = await desk.http.get(`/api/v1/agents/${me.id}/presence-changes`).set(as(supervisor)).expect(200);
    expect(history.body.map((c: { from: string; to: string }) => [c.from, c.to])).toEqual([
      ['offline', 'available'],
      ['available', 'away'],
    ]);
    await desk.http.get(`/api/v1/agents/${me.id}/presence-changes`).set(as(agent)).expect(403);
    const updated = await desk.http
      .patch(`/api/v1/agents/${me.id}`)
      .set(as(admin))
      .send({
        capacity: { voice: 1, video: 0, chat: 4, sms: 5, email: 20 },
        skills: { languages: ['en', 'fa'], subjects: ['local-history'] },
      })
      .expect(200);
    expect(updated.body).toMatchObject({ capacity: { chat: 4, email: 20 }, skills: { languages: ['en', 'fa'] } });
    const bad = await desk.http
      .patch(`/api/v1/agents/${me.id}`)
      .set(as(admin))
      .send({ capacity: { voice: 1, video: 1, chat: 99, sms: 5, email: 10 } })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('capacity.chat');
    await desk.http.patch(`/api/v1/agents/${me.id}`).set(as(otherAdmin)).send({ displayName: 'x' }).expect(404);
  });
});
