import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeskDataSourceOptions } from '@readerdesk/persistence';
import { DatabaseService, defineJob, JobHandler, PlatformModule, QueueService } from '@readerdesk/platform';
import {
  createTestDatabase,
  describeWithDatabase,
  testDialect,
  testEnvironment,
  TestDatabase,
} from '@readerdesk/testing';

const SlowJob = defineJob<{ label: string }>('shutdown-test', 'slow', { attempts: 1 });
const finished: string[] = [];
let started: () => void = () => undefined;

@Injectable()
class SlowHandler {
  constructor(private readonly database: DatabaseService) {}

  @JobHandler(SlowJob)
  async run(payload: { label: string }): Promise<void> {
    started();
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The database must still be open while a running job finishes.
    await this.database.dataSource.query('SELECT 1');
    finished.push(payload.label);
  }
}

@Module({ providers: [SlowHandler] })
class SlowModule {}

describeWithDatabase('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('lets a running job finish, with its database, before the process closes', async () => {
    const env = testEnvironment({
      ...db.env,
      REDIS_URL: testDialect() === 'postgres' ? process.env.REDIS_URL : undefined,
      DESK_SEED_DEMO: 'false',
    });
    const app = await NestFactory.createApplicationContext(
      {
        module: class ShutdownRoot {},
        imports: [
          PlatformModule.forRoot({ env, dataSource: DeskDataSourceOptions, queue: { jobs: [SlowJob] } }),
          SlowModule,
        ],
      },
      { logger: false },
    );
    await app.init();
    await app.get(DatabaseService).connect();
    const running = new Promise<void>((resolve) => (started = resolve));
    await app.get(QueueService).add(SlowJob, { label: 'in-flight' });
    await running;
    await app.close();
    expect(finished).toEqual(['in-flight']);
  });
});
