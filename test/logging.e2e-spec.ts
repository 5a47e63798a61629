import { DEMO_ADMIN } from '@readerdesk/persistence';
import { createTestDatabase, describeWithDatabase, TestDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { DeskProcess, freePort, startDesk, stop, waitForHttp } from './support/process';

interface LogLine {
  level: number;
  msg?: string;
  req?: Record<string, unknown>;
  res?: Record<string, unknown>;
  err?: unknown;
  [field: string]: unknown;
}

/** The JSON lines a process wrote so far, with the raw text of each. */
function lines(desk: DeskProcess): Array<{ raw: string; line: LogLine }> {
  return desk
    .output()
    .split('\n')
    .filter((raw) => raw.startsWith('{'))
    .map((raw) => ({ raw, line: JSON.parse(raw) as LogLine }));
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describeWithDatabase('request logs of a running desk', () => {
  let db: TestDatabase;
  let desk: DeskProcess;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    desk = startDesk('desk', {
      ...db.env,
      PORT: String(port),
      REDIS_URL: undefined,
      DESK_SEED_DEMO: 'true',
      DESK_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    });
    await waitForHttp(`${base}/ready`, 200, 90_000);
  }, 120_000);
  afterAll(async () => {
    if (desk) await stop(desk);
    await db?.drop();
  });

  it('logs method, route, status, duration, request id, library and user of a request, and no credentials or headers', async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as {
      sub: string;
      lib: string;
    };
    const requestId = `log-test-${randomUUID()}`;
    const cookie = `rd_session=${randomUUID()}; other=${randomUUID()}`;
    const conversations = await fetch(`${base}/api/v1/conversations?q=${encodeURIComponent('secret reader words')}`, {
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Cookie: cookie,
        'X-Request-Id': requestId,
        'User-Agent': 'log-test-agent/1.0',
      },
    });
    expect(conversations.status).toBe(200);
    const apiKey = `rdk_0123456789ab_${randomUUID().replace(/-/g, '')}`;
    const refused = await fetch(`${base}/api/v1/conversations`, { headers: { 'X-Api-Key': apiKey } });
    expect(refused.status).toBe(401);
    await settle();

    const all = lines(desk);
    const done = all.filter(({ line }) => line.req?.id === requestId && line.res);
    expect(done).toHaveLength(1);
    expect(done[0].line).toMatchObject({
      level: 30,
      req: { id: requestId, method: 'GET', url: '/api/v1/conversations' },
      res: { statusCode: 200 },
      route: '/api/v1/conversations',
      library: claims.lib,
      user: claims.sub,
    });
    expect(typeof done[0].line.responseTime).toBe('number');
    expect(done[0].raw.length).toBeLessThan(600);

    const text = all.map(({ raw }) => raw).join('\n');
    for (const secret of [accessToken, cookie.split(';')[0].split('=')[1], apiKey, DEMO_ADMIN.password]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/authorization|cookie|x-api-key|user-agent|log-test-agent|secret reader words/i);
    expect(all.some(({ line }) => line.res?.statusCode === 401 && line.route === '/api/v1/conversations')).toBe(true);
  });
});

describeWithDatabase('logs while the database comes up', () => {
  let desk: DeskProcess;

  afterAll(async () => {
    if (desk) await stop(desk);
  });

  it('logs the 503s of start-up as info, with no error and no stack trace', async () => {
    const port = await freePort();
    const nowhere = await freePort(); // nothing listens there: the database is "still coming up"
    desk = startDesk('desk', {
      PORT: String(port),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${nowhere}/readerdesk`,
      REDIS_URL: undefined,
      DESK_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health`, 200, 30_000);
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/libraries/demo`)).status).toBe(503);
    await settle();

    const all = lines(desk);
    const answered = all.filter(({ line }) => line.res?.statusCode === 503);
    expect(answered.map(({ line }) => line.route).sort()).toEqual(['/api/v1/libraries/:slug', '/ready']);
    for (const { line } of answered) {
      expect(line.level).toBe(30);
      expect(line.err).toBeUndefined();
    }
    expect(all.filter(({ line }) => line.level >= 50)).toEqual([]);
    expect(all.map(({ raw }) => raw).join('\n')).not.toMatch(/\\n\s+at /);
  });
});
