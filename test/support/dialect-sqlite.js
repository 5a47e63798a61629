// Runs before each test file of the SQLite projects, before any entity is imported.
'use strict';
process.env.RD_TEST_DIALECT = 'sqlite';
process.env.RD_POSTGRES_URL = process.env.RD_POSTGRES_URL ?? process.env.DATABASE_URL ?? '';
delete process.env.DATABASE_URL;
