import { INestApplication } from '@nestjs/common';
import { createHttpApp, DatabaseService, Environment } from '@readerdesk/platform';
import { createTestDatabase, testDialect, testEnvironment, TestDatabase } from '@readerdesk/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DeskModule } from '../../apps/desk/src/desk.module';

export interface TestApp {
  app: INestApplication;
  env: Environment;
  http: TestAgent;
  database: DatabaseService;
  /** Signs in through the API and gives the Authorization header to send. */
  signIn(email: string, password: string): Promise<{ Authorization: string }>;
  close(): Promise<void>;
  /** Drops the database only (after the app was closed by the test, to boot another on it). */
  drop(): Promise<void>;
}

/**
 * The whole desk (api + worker) on a fresh database of this project's driver, as `npm start`
 * builds it, listening on an ephemeral port. On PostgreSQL it also uses Redis when REDIS_URL is set.
 */
export async function createTestApp(
  overrides: Record<string, string | undefined> = {},
  options: { waitForDatabase?: boolean } = {},
): Promise<TestApp> {
  const db: TestDatabase = await createTestDatabase();
  const env = testEnvironment({
    ...db.env,
    REDIS_URL: testDialect() === 'postgres' ? process.env.REDIS_URL : undefined,
    DESK_SEED_DEMO: 'true',
    DESK_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    ...overrides,
  });
  const app = await createHttpApp(DeskModule.forRoot(env));
  await app.listen(0, '127.0.0.1');
  const database = app.get(DatabaseService);
  if (options.waitForDatabase !== false) await database.connect();
  return {
    app,
    env,
    database,
    http: request(app.getHttpServer()),
    signIn: async (email, password) => {
      const answer = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ email, password });
      if (answer.status !== 200) throw new Error(`sign-in of ${email} answered ${answer.status}`);
      return { Authorization: `Bearer ${(answer.body as { accessToken: string }).accessToken}` };
    },
    close: async () => {
      await app.close();
      await db.drop();
    },
    drop: () => db.drop(),
  };
}
