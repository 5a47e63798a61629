// Runs before each test file of the PostgreSQL projects. Without DATABASE_URL their tests skip
// (see describeWithDatabase); the global setup prints why.
'use strict';
process.env.RD_TEST_DIALECT = 'postgres';
