import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, describeWithDatabase, testDialect, TestDatabase } from '@readerdesk/testing';
import { DeskProcess, freePort, ROOT, startDesk, stop, waitForHttp } from './support/process';

/**
 * The README's walkthrough, run as written: its ```bash blocks are extracted and run in order in one
 * shell (as a reader pastes them), with -e and pipefail so that any failing command fails the test.
 * Nothing in the commands is changed except the values the README says to set through environment
 * variables (PORT for where the desk listens; DATABASE_URL and REDIS_URL in production mode). A block
 * the README marks `<!-- readme-test: skip (why) -->` is not run: starting the desk (the test does
 * that itself, as `npm start`), the whole test suite, and creating the database on its server.
 */
interface Block {
  section: string;
  code: string;
  skip: boolean;
}

function readmeBlocks(): Block[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  let section = '';
  const pattern = /^## (.+)$|(<!-- readme-test: skip[^>]*-->\s*)?^```(bash|sh|shell)\n([\s\S]*?)^```$/gm;
  for (const match of readme.matchAll(pattern)) {
    if (match[1]) section = match[1].trim();
    else blocks.push({ section, code: match[4], skip: Boolean(match[2]) });
  }
  return blocks;
}

interface Run {
  status: number | null;
  output: string;
  /** The shell's process group: what it started in the background (`&`) still runs in it. */
  group: number;
}

/** Runs the script in bash in its own process group; whatever it left running in the background is ended after. */
async function runShell(
  script: string,
  cwd: string,
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<Run> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const group = child.pid as number;
  const timer = setTimeout(() => void endGroup(group), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, output, group };
}

async function endGroup(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(-pid, 'SIGKILL');
}

const shellEnv = (extra: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

describe('the README', () => {
  it('has shell blocks for the walkthrough and production mode, and marks the ones the test does not run', () => {
    const blocks = readmeBlocks();
    expect(blocks.filter((b) => !b.skip && b.section !== 'Production mode').length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => !b.skip && b.section === 'Production mode').length).toBeGreaterThanOrEqual(2);
    // Every curl of a run block shows failures and fails the shell (no bare -s that hides an error body).
    for (const block of blocks.filter((b) => !b.skip))
      for (const line of block.code.split('\n').filter((l) => /\bcurl\b/.test(l)))
        expect(line).toMatch(/curl (-sS --fail-with-body|-sf) /);
  });
});

(testDialect() === 'sqlite' ? describe : describe.skip)(
  'the README walkthrough on the embedded default (npm start)',
  () => {
    let desk: DeskProcess | undefined;
    let scratch: string;
    let port: number;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'readerdesk-readme-'));
      port = await freePort();
      desk = startDesk('desk', {
        PORT: String(port),
        HOST: '127.0.0.1',
        SQLITE_PATH: join(scratch, 'data', 'desk.sqlite'),
        DESK_STORAGE_DIR: join(scratch, 'data', 'attachments'),
        LOG_LEVEL: 'warn',
      });
      await waitForHttp(`http://127.0.0.1:${port}/ready`, 200, 90_000);
    }, 120_000);
    afterAll(async () => {
      if (desk) await stop(desk);
      rmSync(scratch, { recursive: true, force: true });
    });

    it('runs every command of the walkthrough, in order, in one shell', async () => {
      const script = readmeBlocks()
        .filter((b) => !b.skip && b.section !== 'Production mode')
        .map((b) => b.code)
        .join('\n');
      const work = join(scratch, 'shell');
      mkdirSync(work);
      // The reader pastes these in the clone; this shell runs in a scratch directory (so that the files the
      // commands write stay out of the repository), so Node finds the clone's packages through NODE_PATH.
      const run = await runShell(
        script,
        work,
        shellEnv({ PORT: String(port), NODE_PATH: join(ROOT, 'node_modules') }),
        90_000,
      );
      if (run.status !== 0)
        throw new Error(
          `the README's commands failed (exit ${run.status}):\n${run.output}\n--- desk:\n${desk?.output()}`,
        );
      // No command answered a problem (an error hidden by a curl that does not fail on one).
      expect(run.output).not.toMatch(/"type":"https:\/\/readerdesk\.org\/problems\/[a-z_]+"/);
      expect(run.output).toContain('same bytes');
      expect(run.output).toMatch(/"accessToken"/);
      // The search found the conversation the walkthrough opened today.
      expect(run.output).toMatch(/"items":\[\{"id":"[0-9a-f-]{36}","number":1,/);
      // The agent's console saw an offer and accepted it over its socket.
      expect(run.output).toMatch(/offer\.created \{"offerId":"[0-9a-f-]{36}"/);
      expect(run.output).toContain('accepted { ok: true }');
    }, 120_000);
  },
);

describeWithDatabase('the README production mode (PostgreSQL, Redis, start:api and start:worker)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    if (testDialect() !== 'postgres') return;
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  (testDialect() === 'postgres' && process.env.REDIS_URL ? it : it.skip)(
    'starts the api and the worker and signs in as the administrator, as written',
    async () => {
      const blocks = readmeBlocks().filter((b) => !b.skip && b.section === 'Production mode');
      let script = blocks.map((b) => b.code).join('\n');
      // The values the README says to set: where the database and Redis are.
      for (const [name, value] of [
        ['DATABASE_URL', db.env.DATABASE_URL as string],
        ['REDIS_URL', process.env.REDIS_URL as string],
      ]) {
        expect(script).toMatch(new RegExp(`\\b${name}=\\S+`));
        script = script.replace(new RegExp(`\\b${name}=\\S+`), `${name}=${value}`);
      }
      const port = await freePort();
      const run = await runShell(
        script,
        ROOT,
        shellEnv({ PORT: String(port), QUEUE_PREFIX: `rdreadme-${process.pid}`, LOG_LEVEL: 'warn' }),
        120_000,
      );
      await endGroup(run.group); // the api and the worker the README started with `&`
      if (run.status !== 0)
        throw new Error(`the README's production commands failed (exit ${run.status}):\n${run.output}`);
      expect(run.output).toMatch(/"accessToken"/);
    },
    150_000,
  );
});
