import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('the desk over HTTP', () => {
  let desk: TestApp;

  beforeAll(async () => {
    desk = await createTestApp();
  });
  afterAll(async () => desk?.close());

  it('answers liveness and readiness with the database and queue it uses', async () => {
    await desk.http.get('/health').expect(200, { status: 'ok' });
    // Ready once every connection is up: right after boot a queue's Redis connection may still be connecting
    // (each consumed queue has its own), which /ready reports as 503 until it is.
    let ready = await desk.http.get('/ready');
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await desk.http.get('/ready');
    }
    expect(ready.status).toBe(200);
    expect(ready.body.details.database).toMatchObject({ status: 'up', dialect: desk.database.dialect });
    // With Redis the check is named after it (every Redis connection of the process); alone, the in-process queue.
    expect(ready.body.details[desk.env.REDIS_URL ? 'redis' : 'queue']).toMatchObject({
      status: 'up',
      driver: desk.env.REDIS_URL ? 'bullmq' : 'in-process',
    });
  });

  it('seeds the demo library on first start: two branches in their time zones and five departments', async () => {
    const res = await desk.http.get('/api/v1/libraries/demo').expect(200);
    expect(res.body.name).toBe(DEMO.library.name);
    expect(res.body.branches).toEqual(
      expect.arrayContaining([
        { code: 'central', name: 'Central Library', timeZone: 'America/New_York' },
        { code: 'lakeside', name: 'Lakeside Branch', timeZone: 'America/Chicago' },
      ]),
    );
    expect(res.body.departments.map((d: { code: string }) => d.code).sort()).toEqual([
      'childrens',
      'circulation',
      'eresources',
      'ill',
      'reference',
    ]);
  });

  it('signs in the first administrator and the demo agents, and refuses a wrong password with one message', async () => {
    const admin = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password })
      .expect(200);
    expect(admin.body).toMatchObject({
      tokenType: 'Bearer',
      agent: { email: DEMO_ADMIN.email, role: 'administrator' },
    });
    expect(admin.body.accessToken.split('.')).toHaveLength(3);
    const agent = DEMO.agents[0];
    await desk.http
      .post('/api/v1/auth/login')
      .send({ email: agent.email.toUpperCase(), password: DEMO_AGENT_PASSWORD })
      .expect(200);
    const wrong = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: DEMO_ADMIN.email, password: 'not-it' })
      .expect(401);
    const unknown = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@example.org', password: 'not-it' })
      .expect(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
  });

  it('answers malformed JSON with 400 problem details', async () => {
    const res = await desk.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(res.body).toMatchObject({ status: 400, code: 'malformed_json', instance: '/api/v1/auth/login' });
  });

  it('answers a failed DTO check with 400 naming each field', async () => {
    const res = await desk.http.post('/api/v1/auth/login').send({ email: 'not-an-address', extra: 1 }).expect(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'extra']));
  });

  it('answers an oversized body with 413 naming the limit', async () => {
    const res = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: 'a@b.org', password: 'x'.repeat(2 * 1024 * 1024) })
      .expect(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large' });
    expect(res.body.detail).toContain('1048576');
  });

  it('answers an unknown library with 404 and an unknown route with 404 problem details', async () => {
    await desk.http
      .get('/api/v1/libraries/nowhere')
      .expect(404)
      .expect('Content-Type', /problem\+json/);
    const res = await desk.http.get('/api/v1/no-such-route').expect(404);
    expect(res.body.status).toBe(404);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await desk.http.get('/health').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await desk.http.get('/health').set('X-Request-Id', 'bad id\twith spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes the OpenAPI document and the Swagger UI', async () => {
    const doc = await desk.http.get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/health', '/ready', '/api/v1/auth/login', '/api/v1/libraries/{slug}']),
    );
    const ui = await desk.http.get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('exposes Prometheus metrics including request durations by route', async () => {
    await desk.http.get('/api/v1/libraries/demo').expect(200);
    const res = await desk.http.get('/metrics').expect(200);
    expect(res.text).toMatch(
      /readerdesk_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/libraries\/:slug",status="200"\} \d+/,
    );
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describeWithDatabase('the desk on a database without its schema', () => {
  let desk: TestApp;

  beforeAll(async () => {
    desk = await createTestApp();
  });
  afterAll(async () => desk?.close());

  it('is not ready (503 naming the database: schema not migrated) while /health stays 200', async () => {
    // Ready once every connection is up (the queue workers' Redis connections come up just after boot).
    const readyBy = Date.now() + 10_000;
    while ((await desk.http.get('/ready')).status !== 200) {
      if (Date.now() > readyBy) throw new Error('the desk never became ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // What a database restored from an older dump, or dropped and created again, looks like to this build.
    await desk.database.dataSource.query('DELETE FROM schema_migrations');
    const started = Date.now();
    const ready = await desk.http.get('/ready').expect(503);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.body).toMatchObject({
      code: 'not_ready',
      detail: expect.stringMatching(/^Not ready: database \(schema not migrated/),
      checks: { database: { status: 'down', message: expect.stringMatching(/^schema not migrated/) } },
    });
    await desk.http.get('/health').expect(200);
  });
});

describeWithDatabase('the desk while its database is unreachable', () => {
  let desk: TestApp;

  beforeAll(async () => {
    const unreachable =
      process.env.RD_TEST_DIALECT === 'postgres'
        ? { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }
        : { SQLITE_PATH: '/dev/null/not-a-directory/desk.sqlite' };
    desk = await createTestApp(unreachable, { waitForDatabase: false });
  });
  afterAll(async () => desk?.close());

  it('stays up: /health is 200, /ready is 503 naming the database, API calls are 503', async () => {
    await desk.http.get('/health').expect(200);
    const ready = await desk.http.get('/ready').expect(503);
    expect(ready.body).toMatchObject({ code: 'not_ready', checks: { database: { status: 'down' } } });
    const api = await desk.http.get('/api/v1/libraries/demo').expect(503);
    expect(api.body.code).toBe('database_unavailable');
  });

  it('keeps retrying with backoff instead of crashing', async () => {
    const first = desk.database.status().error;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(desk.database.isReady()).toBe(false);
    expect(first).toBeDefined();
    expect(desk.database.attempts()).toBeGreaterThanOrEqual(3);
  });
});
