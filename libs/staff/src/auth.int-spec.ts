import { JwtService } from '@nestjs/jwt';
import { DatabaseService, libraryScope } from '@readerdesk/platform';
import { connectTestDatabase, describeWithDatabase, TestClock, TestData } from '@readerdesk/testing';
import { Library } from '@readerdesk/tenancy';
import { AgentRepository } from './agent.repository';
import { AuthService, LOCKOUT_SECONDS, LOCKOUT_THRESHOLD, REFRESH_TOKEN_TTL_SECONDS } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenRepository } from './refresh-token.repository';

const INVALID_CREDENTIALS = { code: 'invalid_credentials', status: 401 };
const SESSION_ENDED = { code: 'refresh_token_invalid', status: 401 };

describeWithDatabase('staff sign-in, lockout and refresh tokens', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let data: TestData;
  let agents: AgentRepository;
  let auth: AuthService;
  let library: Library;
  const clock = new TestClock(new Date('2026-03-02T09:00:00Z'));

  /** The error a call fails with, to compare answers with each other. */
  const failure = async (attempt: Promise<unknown>): Promise<{ code: string; status: number; message: string }> => {
    try {
      await attempt;
    } catch (error) {
      const { code, status, message } = error as { code: string; status: number; message: string };
      return { code, status, message };
    }
    throw new Error('expected the call to fail');
  };

  const newAgent = (password: string) => data.agent(library, { password, role: 'supervisor' });

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    data = new TestData(database);
    agents = new AgentRepository(database);
    auth = new AuthService(
      database,
      agents,
      new RefreshTokenRepository(database),
      new PasswordHasher(),
      new JwtService({ secret: 'auth-int-spec-secret-that-is-long-enough', signOptions: { algorithm: 'HS256' } }),
      clock,
    );
    library = await data.library();
  });

  afterAll(async () => drop?.());

  describe('sign-in', () => {
    it('signs in with the right password and hands out tokens naming the agent, library and role', async () => {
      const agent = await newAgent('correct horse battery');
      const session = await auth.login(`  ${agent.email.toUpperCase()} `, 'correct horse battery');
      expect(session).toMatchObject({
        tokenType: 'Bearer',
        agent: { id: agent.id, libraryId: library.id, role: 'supervisor' },
      });
      expect(await auth.verify(session.accessToken)).toEqual({
        agentId: agent.id,
        libraryId: library.id,
        role: 'supervisor',
      });
      expect((await agents.getById(libraryScope(library.id), agent.id)).lastLoginAt).toEqual(clock.now());
    });

    it('answers a wrong password, an unknown account and a deactivated one alike', async () => {
      const agent = await newAgent('right-password');
      const retired = await data.agent(library, { password: 'right-password', active: false });
      const wrong = await failure(auth.login(agent.email, 'wrong-password'));
      expect(wrong).toMatchObject(INVALID_CREDENTIALS);
      expect(await failure(auth.login('nobody@staff.example.org', 'right-password'))).toEqual(wrong);
      expect(await failure(auth.login(retired.email, 'right-password'))).toEqual(wrong);
    });

    it('refuses a forged access token', async () => {
      const forger = new JwtService({ secret: 'another-secret-of-somebody-else-entirely' });
      const forged = await forger.signAsync({ sub: 'x', lib: library.id, role: 'administrator' });
      await expect(auth.verify(forged)).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
    });
  });

  describe('lockout', () => {
    it(`locks an account after ${LOCKOUT_THRESHOLD} failures, with the answer of a wrong password, until it expires`, async () => {
      const agent = await newAgent('the-password');
      const wrong = await failure(auth.login(agent.email, 'not-it'));
      for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await failure(auth.login(agent.email, 'not-it'));
      const stored = await agents.getById(libraryScope(library.id), agent.id);
      expect(stored.lockedUntil).toEqual(new Date(clock.now().getTime() + LOCKOUT_SECONDS * 1000));

      // Locked: even the right password gets the same answer as a wrong one.
      expect(await failure(auth.login(agent.email, 'the-password'))).toEqual(wrong);
      clock.advance(LOCKOUT_SECONDS * 1000 - 1000);
      expect(await failure(auth.login(agent.email, 'the-password'))).toEqual(wrong);

      clock.advance(1000);
      await expect(auth.login(agent.email, 'the-password')).resolves.toMatchObject({ agent: { id: agent.id } });
      const after = await agents.getById(libraryScope(library.id), agent.id);
      expect(after).toMatchObject({ failedLogins: 0, lockedUntil: null });
    });

    it('counts consecutive failures only: a successful sign-in starts the count again', async () => {
      const agent = await newAgent('the-password');
      for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await failure(auth.login(agent.email, 'not-it'));
      await auth.login(agent.email, 'the-password');
      for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await failure(auth.login(agent.email, 'not-it'));
      await expect(auth.login(agent.email, 'the-password')).resolves.toMatchObject({ agent: { id: agent.id } });
    });
  });

  describe('refresh tokens', () => {
    it('rotates on each use and refuses the old token afterwards', async () => {
      const agent = await newAgent('pw-rotation');
      const first = await auth.login(agent.email, 'pw-rotation');
      const second = await auth.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(await auth.verify(second.accessToken)).toMatchObject({ agentId: agent.id });
      const third = await auth.refresh(second.refreshToken);
      expect(third.agent.id).toBe(agent.id);
      await expect(auth.refresh(first.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
    });

    it("revokes the whole family when a used token is replayed, and leaves the agent's other sessions alone", async () => {
      const agent = await newAgent('pw-replay');
      const stolen = await auth.login(agent.email, 'pw-replay');
      const otherDevice = await auth.login(agent.email, 'pw-replay');
      const rotated = await auth.refresh(stolen.refreshToken);

      await expect(auth.refresh(stolen.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
      // The replay ended the session that the rotated token belonged to, not only the replayed token.
      await expect(auth.refresh(rotated.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
      await expect(auth.refresh(otherDevice.refreshToken)).resolves.toMatchObject({ agent: { id: agent.id } });
    });

    it('refuses an unknown token and one past its lifetime', async () => {
      const agent = await newAgent('pw-expiry');
      await expect(auth.refresh('no-such-token')).rejects.toMatchObject(SESSION_ENDED);
      const session = await auth.login(agent.email, 'pw-expiry');
      clock.advance(REFRESH_TOKEN_TTL_SECONDS * 1000);
      await expect(auth.refresh(session.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
    });

    it('refuses a token of an agent deactivated since', async () => {
      const agent = await newAgent('pw-deactivated');
      const session = await auth.login(agent.email, 'pw-deactivated');
      await agents.update(libraryScope(library.id), agent.id, { active: false });
      await expect(auth.refresh(session.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
    });
  });

  describe('sign-out', () => {
    it("ends the session's family, including tokens rotated from it, and no other session", async () => {
      const agent = await newAgent('pw-logout');
      const leaving = await auth.login(agent.email, 'pw-logout');
      const staying = await auth.login(agent.email, 'pw-logout');
      const rotated = await auth.refresh(leaving.refreshToken);
      await auth.logout(rotated.refreshToken);
      await expect(auth.refresh(rotated.refreshToken)).rejects.toMatchObject(SESSION_ENDED);
      await expect(auth.refresh(staying.refreshToken)).resolves.toMatchObject({ agent: { id: agent.id } });
    });

    it('ignores a token it does not know', async () => {
      await expect(auth.logout('never-issued')).resolves.toBeUndefined();
    });
  });
});
