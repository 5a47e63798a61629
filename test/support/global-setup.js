'use strict';
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  // The process tests run the compiled entry points; build once here (a no-op when dist/ is current).
  // TEST_SKIP_BUILD=1 skips it for suites that never start a compiled process (parallel local runs).
  if (process.env.TEST_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.js')], { stdio: 'inherit' });
  }
  const missing = [];
  if (!process.env.DATABASE_URL) missing.push('DATABASE_URL (PostgreSQL integration and end-to-end tests)');
  if (!process.env.REDIS_URL) missing.push('REDIS_URL (BullMQ driver and Redis tests)');
  if (missing.length > 0) {
    const line = '!'.repeat(78);
    console.warn(
      `\n${line}\n!! SKIPPING tests that need: ${missing.join('; ')}.\n!! Set them to run those tests too: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379\n${line}\n`,
    );
  }
};
