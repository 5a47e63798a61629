#!/usr/bin/env node
// `npm start` and friends: build if the sources changed, load ./.env when there is one, then run
// the entry point (desk = api + worker in one process, api, or worker) in this process.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ENTRIES = { desk: 'apps/desk/src/main.js', api: 'apps/api/src/main.js', worker: 'apps/worker/src/main.js' };
const which = process.argv[2] ?? 'desk';
if (!ENTRIES[which]) {
  console.error(`usage: node scripts/run.js ${Object.keys(ENTRIES).join('|')}`);
  process.exit(2);
}
const root = join(__dirname, '..');
require('./build.js');
const dotenv = join(root, '.env');
// Variables already set in the environment win over the file, as with every dotenv loader.
if (existsSync(dotenv)) process.loadEnvFile(dotenv);
require(join(root, 'dist', ENTRIES[which]));
