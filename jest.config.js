// Test tiers (see ARCHITECTURE.md): unit tests next to the code; integration and end-to-end
// tests once per database driver. The PostgreSQL projects skip, and say so, when DATABASE_URL
// is not set.
'use strict';

const moduleNameMapper = {
  '^@readerdesk/(platform|persistence|tenancy|staff|readers|conversations|realtime|testing|contracts|channels|calendars|routing|sla|offers|queue-stats|canned-replies)$':
    '<rootDir>/libs/$1/src',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const base = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  setupFiles: ['<rootDir>/test/support/quiet-logs.js'],
};

const perDialect = (tier, match, timeout) =>
  ['sqlite', 'postgres'].map((dialect) => ({
    ...base,
    displayName: `${tier}:${dialect}`,
    testMatch: match,
    setupFiles: [...base.setupFiles, `<rootDir>/test/support/dialect-${dialect}.js`],
    testTimeout: timeout,
  }));

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    ...perDialect('int', ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], 30_000),
    ...perDialect('e2e', ['<rootDir>/test/**/*.e2e-spec.ts'], 60_000),
  ],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  // Jest 30 reads the timeout here, not per project: integration and end-to-end tests boot databases and processes.
  testTimeout: 60_000,
};
