import { JwtService } from '@nestjs/jwt';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { createTestApp, TestApp } from './support/test-app';

describeWithDatabase('staff sign-in, tokens and lockout', () => {
  let desk: TestApp;
  const agent = DEMO.agents[2];

  beforeAll(async () => {
    desk = await createTestApp();
  });
  afterAll(async () => desk?.close());

  const login = (email: string, password: string) => desk.http.post('/api/v1/auth/login').send({ email, password });

  it('refuses protected routes without a token, with a forged one, and with an expired one', async () => {
    const none = await desk.http.get('/api/v1/auth/me').expect(401);
    expect(none.body.code).toBe('unauthenticated');
    const good = await login(DEMO_ADMIN.email, DEMO_ADMIN.password).expect(200);
    const claims = JSON.parse(Buffer.from(good.body.accessToken.split('.')[1], 'base64url').toString());
    const forged = await new JwtService({ secret: 'some-other-key-that-is-long-enough-000000' }).signAsync(claims);
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    // Unsigned ("alg": "none"), or signed with the right key under another algorithm: only HS256 is taken.
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${unsigned}`).expect(401);
    const withDeskKey = new JwtService({ secret: desk.env.DESK_SECRET_KEY });
    const otherAlgorithm = await withDeskKey.signAsync(claims, { algorithm: 'HS512' });
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${otherAlgorithm}`).expect(401);
    // The same claims and key under HS256 pass: the algorithm alone made the difference.
    const resigned = await withDeskKey.signAsync(claims);
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${resigned}`).expect(200);
    const expired = await new JwtService({ secret: desk.env.DESK_SECRET_KEY }).signAsync({
      ...claims,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
    const me = await desk.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${good.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: DEMO_ADMIN.email, role: 'administrator' });
  });

  it('rotates refresh tokens; reusing a spent one ends the whole session', async () => {
    const first = await login(agent.email, DEMO_AGENT_PASSWORD).expect(200);
    const second = await desk.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    await desk.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${second.body.accessToken}`).expect(200);
    const replay = await desk.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(401);
    expect(replay.body.code).toBe('refresh_token_invalid');
    await desk.http.post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(401);
  });

  it('signs out: the refresh token stops working', async () => {
    const session = await login(agent.email, DEMO_AGENT_PASSWORD).expect(200);
    await desk.http.post('/api/v1/auth/logout').send({ refreshToken: session.body.refreshToken }).expect(204);
    await desk.http.post('/api/v1/auth/refresh').send({ refreshToken: session.body.refreshToken }).expect(401);
  });

  it('locks an account after five failures in a row, answering exactly as for a wrong password', async () => {
    const victim = DEMO.agents[3];
    for (let i = 0; i < 5; i += 1) await login(victim.email, 'wrong-password').expect(401);
    const locked = await login(victim.email, DEMO_AGENT_PASSWORD).expect(401);
    const wrong = await login(victim.email, 'wrong-password').expect(401);
    expect(locked.body.detail).toBe(wrong.body.detail);
    // Once the lock has run out, the right password works again.
    await desk.database.dataSource.query(
      `UPDATE agents SET locked_until = NULL WHERE email = ${desk.database.dialect === 'postgres' ? '$1' : '?'}`,
      [victim.email],
    );
    await login(victim.email, DEMO_AGENT_PASSWORD).expect(200);
  });
});

describeWithDatabase('sign-in rate limit', () => {
  let desk: TestApp;
  beforeAll(async () => {
    desk = await createTestApp();
  });
  afterAll(async () => desk?.close());

  it('answers 429 after twenty attempts a minute from one address', async () => {
    for (let i = 0; i < 20; i += 1) {
      await desk.http.post('/api/v1/auth/login').send({ email: 'nobody@example.org', password: 'x' }).expect(401);
    }
    const limited = await desk.http
      .post('/api/v1/auth/login')
      .send({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password })
      .expect(429);
    expect(limited.body.status).toBe(429);
    await desk.http.get('/health').expect(200);
  });
});
