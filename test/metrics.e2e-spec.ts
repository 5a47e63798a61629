import { DEMO_ADMIN } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './support/test-app';

/** The sample count of the request-duration histogram for one label set, read off a scrape (0 when absent). */
function count(scrape: string, labels: { method: string; route: string; status: string }): number {
  const line = scrape
    .split('\n')
    .find((l) =>
      l.startsWith(
        `readerdesk_http_request_duration_seconds_count{method="${labels.method}",route="${labels.route}",status="${labels.status}"} `,
      ),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

describeWithDatabase('Prometheus metrics of HTTP responses', () => {
  let desk: TestApp;
  let admin: { Authorization: string };

  beforeAll(async () => {
    desk = await createTestApp();
    admin = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
  });
  afterAll(async () => desk?.close());

  const scrape = async (): Promise<string> => (await desk.http.get('/metrics').expect(200)).text;

  it('counts error responses with the status actually sent and the route that answered', async () => {
    const before = await scrape();
    await desk.http
      .post('/api/v1/auth/login')
      .send({ email: DEMO_ADMIN.email, password: 'wrong-password' })
      .expect(401);
    await desk.http.get(`/api/v1/conversations/${randomUUID()}`).set(admin).expect(404);
    await desk.http.get('/api/v1/conversations').expect(401); // the auth guard, no token
    await desk.http.get('/api/v1/conversations').set(admin).expect(200);
    const after = await scrape();
    const delta = (method: string, route: string, status: string): number =>
      count(after, { method, route, status }) - count(before, { method, route, status });
    expect(delta('POST', '/api/v1/auth/login', '401')).toBe(1);
    expect(delta('POST', '/api/v1/auth/login', '200')).toBe(0);
    expect(delta('GET', '/api/v1/conversations/:id', '404')).toBe(1);
    expect(delta('GET', '/api/v1/conversations/:id', '200')).toBe(0);
    expect(delta('GET', '/api/v1/conversations', '401')).toBe(1);
    expect(delta('GET', '/api/v1/conversations', '200')).toBe(1);
  });

  it('counts unknown paths and refused bodies under one placeholder route, never the raw path', async () => {
    const before = await scrape();
    const probes = [`/api/v1/no-such-thing/${randomUUID()}`, `/wp-login.php?x=${randomUUID()}`, '/api/v1'];
    for (const path of probes) await desk.http.get(path).expect(404);
    await desk.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    const after = await scrape();
    expect(count(after, { method: 'GET', route: 'unmatched', status: '404' })).toBe(
      count(before, { method: 'GET', route: 'unmatched', status: '404' }) + probes.length,
    );
    expect(count(after, { method: 'POST', route: 'unmatched', status: '400' })).toBe(
      count(before, { method: 'POST', route: 'unmatched', status: '400' }) + 1,
    );
    expect(after).not.toContain('no-such-thing');
    expect(after).not.toContain('wp-login');
  });

  it('exposes the default process and Node.js metrics under their standard names', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toMatch(/^readerdesk_(process|nodejs)_/m);
  });
});
