import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('readers over the API', () => {
  let desk: TestApp;
  let agent: Record<string, string>;
  let supervisor: Record<string, string>;

  const bearer = async (email: string, password: string) => ({
    Authorization: `Bearer ${(await desk.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken}`,
  });

  beforeAll(async () => {
    desk = await createTestApp();
    agent = await bearer(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    supervisor = await bearer(DEMO_ADMIN.email, DEMO_ADMIN.password);
  });
  afterAll(async () => desk?.close());

  it('resolves a demo reader from a differently written phone number and shows their handles', async () => {
    const maria = DEMO.readers[0];
    const res = await desk.http
      .post('/api/v1/readers/resolve')
      .set(agent)
      .send({ handles: [{ kind: 'phone', value: '+1 212-555-0101' }] })
      .expect(200);
    expect(res.body.created).toBe(false);
    expect(res.body.reader).toMatchObject({ displayName: maria.displayName, cardNumber: maria.cardNumber });
    expect(res.body.reader.handles.map((h: { kind: string }) => h.kind).sort()).toEqual(['card', 'email', 'phone']);
    const again = await desk.http.get(`/api/v1/readers/${res.body.reader.id}`).set(agent).expect(200);
    expect(again.body.id).toBe(res.body.reader.id);
  });

  it('validates handles at the edge', async () => {
    const res = await desk.http
      .post('/api/v1/readers/resolve')
      .set(agent)
      .send({ handles: [{ kind: 'fax', value: '1' }] })
      .expect(400);
    expect(res.body.errors[0].field).toBe('handles.0.kind');
    await desk.http.post('/api/v1/readers/resolve').set(agent).send({ handles: [] }).expect(400);
  });

  it('lets a supervisor merge a duplicate and unlink a wrong handle; an agent may not', async () => {
    const dup = await desk.http
      .post('/api/v1/readers/resolve')
      .set(agent)
      .send({ handles: [{ kind: 'email', value: 'r.ahmadi@work.example.org' }] })
      .expect(200);
    const reza = await desk.http
      .post('/api/v1/readers/resolve')
      .set(agent)
      .send({ handles: [{ kind: 'card', value: DEMO.readers[1].cardNumber }] })
      .expect(200);
    await desk.http
      .post(`/api/v1/readers/${reza.body.reader.id}/merge`)
      .set(agent)
      .send({ sourceReaderId: dup.body.reader.id })
      .expect(403);
    const merged = await desk.http
      .post(`/api/v1/readers/${reza.body.reader.id}/merge`)
      .set(supervisor)
      .send({ sourceReaderId: dup.body.reader.id })
      .expect(200);
    expect(merged.body.handles.map((h: { value: string }) => h.value)).toContain('r.ahmadi@work.example.org');
    const wrong = merged.body.handles.find((h: { value: string }) => h.value === 'r.ahmadi@work.example.org');
    const split = await desk.http.post(`/api/v1/reader-handles/${wrong.id}/unlink`).set(supervisor).expect(200);
    expect(split.body.handles.map((h: { value: string }) => h.value)).toEqual(['r.ahmadi@work.example.org']);
  });

  it('answers 404 for a reader id that is unknown here', async () => {
    await desk.http.get(`/api/v1/readers/${randomUUID()}`).set(agent).expect(404);
    await desk.http.get('/api/v1/readers/not-a-uuid').set(agent).expect(400);
  });
});
