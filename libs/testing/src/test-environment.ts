import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Environment, loadEnvironment } from '@readerdesk/platform';

/** A validated environment for tests: quiet logs, fast retries, and whatever the test overrides. */
export function testEnvironment(overrides: Record<string, string | undefined> = {}): Environment {
  return loadEnvironment({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_RETRY_MAX_DELAY_MS: '200',
    SHUTDOWN_GRACE_MS: '2000',
    // Attachment bytes of tests go to a scratch directory, never into the checkout's data/.
    DESK_STORAGE_DIR: join(tmpdir(), `readerdesk-test-blobs-${process.pid}`),
    QUEUE_PREFIX: `rdtest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
  });
}
