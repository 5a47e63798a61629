import { DEMO, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { createTestApp, TestApp } from './support/test-app';

/** "rd_access=…; Path=/; HttpOnly; …" lines → name → { value, attributes }. */
function cookiesOf(setCookie: string[] | string | undefined): Map<string, { value: string; attributes: string }> {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return new Map(
    lines.map((line) => {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      return [pair.slice(0, at), { value: pair.slice(at + 1), attributes: attributes.join(';').toLowerCase() }];
    }),
  );
}

describeWithDatabase('console sessions in httpOnly cookies', () => {
  let desk: TestApp;
  const agent = DEMO.agents[1];

  beforeAll(async () => {
    desk = await createTestApp();
  });
  afterAll(async () => desk?.close());

  it('signs in without handing tokens to page script, and guards changes with the CSRF token', async () => {
    const login = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: agent.email, password: DEMO_AGENT_PASSWORD, session: 'cookie' })
      .expect(200);
    expect(login.body.accessToken).toBeUndefined();
    expect(login.body.refreshToken).toBeUndefined();
    expect(login.body).toMatchObject({ tokenType: 'Cookie', agent: { email: agent.email } });
    const jar = cookiesOf(login.headers['set-cookie']);
    expect(jar.get('rd_access')?.attributes).toMatch(/httponly/);
    expect(jar.get('rd_access')?.attributes).toMatch(/samesite=strict/);
    expect(jar.get('rd_refresh')?.attributes).toMatch(/path=\/api\/v1\/auth/);
    expect(jar.get('rd_csrf')?.attributes).not.toMatch(/httponly/);
    expect(jar.get('rd_csrf')?.value).toBe(login.body.csrfToken);
    const cookie = `rd_access=${jar.get('rd_access')?.value}; rd_csrf=${jar.get('rd_csrf')?.value}`;

    const me = await desk.http.get('/api/v1/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body.email).toBe(agent.email);

    // A change carried by the cookie alone (what a forged cross-site form would send) is refused.
    const forged = await desk.http
      .put('/api/v1/agents/me/presence')
      .set('Cookie', cookie)
      .send({ presence: 'away' })
      .expect(403);
    expect(forged.body.code).toBe('csrf_failed');
    await desk.http
      .put('/api/v1/agents/me/presence')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', 'guessed-value-of-the-same-length-000000')
      .send({ presence: 'away' })
      .expect(403);
    await desk.http
      .put('/api/v1/agents/me/presence')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', login.body.csrfToken as string)
      .send({ presence: 'away' })
      .expect(200);
  });

  it('refreshes from the cookie once, opens sockets with it, and signs out by clearing it', async () => {
    const login = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: agent.email, password: DEMO_AGENT_PASSWORD, session: 'cookie' })
      .expect(200);
    const first = cookiesOf(login.headers['set-cookie']);
    const refreshCookie = `rd_refresh=${first.get('rd_refresh')?.value}; rd_csrf=${first.get('rd_csrf')?.value}`;
    await desk.http.post('/api/v1/auth/refresh').set('Cookie', refreshCookie).send({}).expect(403);
    const refreshed = await desk.http
      .post('/api/v1/auth/refresh')
      .set('Cookie', refreshCookie)
      .set('X-CSRF-Token', first.get('rd_csrf')!.value)
      .send({})
      .expect(200);
    expect(refreshed.body.accessToken).toBeUndefined();
    const second = cookiesOf(refreshed.headers['set-cookie']);
    expect(second.get('rd_refresh')?.value).not.toBe(first.get('rd_refresh')?.value);
    // The first refresh cookie worked once; played again it ends the session.
    await desk.http
      .post('/api/v1/auth/refresh')
      .set('Cookie', refreshCookie)
      .set('X-CSRF-Token', first.get('rd_csrf')!.value)
      .send({})
      .expect(401);

    const url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { Cookie: `rd_access=${second.get('rd_access')?.value}` },
    });
    const answer = await new Promise<string>((resolve) => {
      socket.on('auth.error', () => resolve('refused'));
      socket.on('connect', () => setTimeout(() => resolve(socket.connected ? 'connected' : 'dropped'), 300));
      socket.on('connect_error', () => resolve('connect_error'));
    });
    socket.disconnect();
    expect(answer).toBe('connected');

    const logout = await desk.http
      .post('/api/v1/auth/logout')
      .set('Cookie', `rd_refresh=${second.get('rd_refresh')?.value}; rd_csrf=${second.get('rd_csrf')?.value}`)
      .set('X-CSRF-Token', second.get('rd_csrf')!.value)
      .send({})
      .expect(204);
    const cleared = cookiesOf(logout.headers['set-cookie']);
    expect(cleared.get('rd_access')?.value).toBe('');
    expect(cleared.get('rd_access')?.attributes).toMatch(/expires=thu, 01 jan 1970/);
  });
});
