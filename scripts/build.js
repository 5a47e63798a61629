#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ (tsc, then tsc-alias to turn the @readerdesk/* path
// aliases into relative requires) and builds the console with Vite into dist/console. Without --force it does nothing when dist/ is newer than every
// source, so `npm start` on a built tree starts at once.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['apps', 'libs', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function upToDate() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.every((source) => newest(join(root, source)) <= built);
}

if (process.argv.includes('--force') || !upToDate()) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  const started = Date.now();
  process.stdout.write('building ReaderDesk… ');
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    // The agent console (apps/console, React + Vite) into dist/console, which the desk serves at /.
    // Always the production build: Vite keeps an inherited NODE_ENV, and Jest's global setup (which calls this)
    // runs with NODE_ENV=test, which would bundle React's development build into what the tests serve.
    execFileSync(bin('vite'), ['build', '--config', 'apps/console/vite.config.mjs'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } catch {
    console.error('\nThe build failed (errors above).');
    process.exit(1);
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
