import { Environment, loadEnvironment } from '@readerdesk/platform';

/** The desk's configuration for a benchmark: the scratch database, the demo library, quiet logs. */
export function benchEnvironment(url: string): Environment {
  return loadEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    DESK_SEED_DEMO: 'true',
    DESK_SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    DESK_STORAGE_DIR: '/tmp/readerdesk-bench-blobs',
  });
}
