/**
 * bench/console: the agent console in headless Debian chromium against the embedded default desk (SQLite, one
 * process, `node dist/apps/desk/src/main.js` as `npm start` runs it) holding 10,000 open conversations in one
 * library (seeded through the inbox API by the forked load generator of bench/ingest-http). Measured:
 *
 * - cold loads (a new browser context each: empty cache, the session cookie of a fresh sign-in): navigation start →
 *   the first queue row painted, and → interactive (below); sign-in submit → first row in the signing-in context;
 * - inbound contact → its row in the open page: POST sent (in Node) → the row's element in the page's DOM and its
 *   next frame (a MutationObserver in the page, its clock mapped onto Node's by a measured offset);
 * - the JavaScript the first load runs, gzip-compressed, against the 250 KB aim;
 * - ceilings in the same run: a static snapshot of the same rendered page (no script) served by the same server
 *   (nav → first row), the bare REST list call the console makes, and the POST's own round trip.
 *
 * Nothing here downloads a browser: CHROMIUM_PATH, else `command -v chromium`.
 */
import { DEMO_ADMIN } from '@readerdesk/persistence';
// The file alone, not @readerdesk/testing (which the build leaves out): a free port, chromium and its flags.
import { CHROMIUM_FLAGS, chromiumPath, freePort } from '../libs/testing/src/local';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FromLoad, ToLoad } from './http-load';
import { percentile } from './stats';

const CONVERSATIONS = Number(process.env.BENCH_CONSOLE_CONVERSATIONS ?? 10_000);
const SEED_INFLIGHT = Number(process.env.BENCH_CONSOLE_SEED_INFLIGHT ?? 16);
const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 10);
const CONTACTS = Number(process.env.BENCH_CONSOLE_CONTACTS ?? 50);
const SPACING_MS = Number(process.env.BENCH_CONSOLE_SPACING_MS ?? 500);
const LOG_LEVEL = process.env.BENCH_CONSOLE_LOG_LEVEL ?? 'info';
/** An SLA policy (first response in 60 minutes, 24/7) so that every conversation has a due time to sort by. */
const WITH_SLA = (process.env.BENCH_CONSOLE_SLA ?? 'true') !== 'false';
const TARGET_VISIBLE_MS = 200;
const TARGET_JS_GZIP_KB = 250;
const SORT_KEY = 'rd.queue.sort';
const SORT_VALUE = 'newest';
const ROW = '[data-testid=queue] [data-id]';
const READY_DEADLINE_MS = 120_000;
/** The repository root: this file runs as dist/bench/console.js. */
const ROOT = join(__dirname, '..', '..');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Node's clock as epoch milliseconds with sub-millisecond resolution (monotonic since the process started). */
const nodeNow = (): number => performance.timeOrigin + performance.now();
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const f1 = (n: number | null | undefined): string => (n == null || Number.isNaN(n) ? 'n/a' : n.toFixed(1));

interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}
function summary(values: number[]): Summary {
  const s = sorted(values);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
}

function browserPath(): string {
  const found = chromiumPath();
  if (found) return found;
  throw new Error('bench/console needs chromium on PATH (apt-get install chromium) or CHROMIUM_PATH');
}

// --- the page's own instruments ---------------------------------------------------------------------------

/**
 * Runs in every document before its scripts: chooses the newest-first sort, and records (performance.now(), ms
 * since navigation start) when the first queue row enters the DOM and the frame after it, when each conversation
 * row first appears (once tracking is on), every change of the queue count text, the first click, the first
 * timeline entry, and long tasks.
 */
const PAGE_SCRIPT = `(() => {
  try { if (location.protocol.startsWith('http')) localStorage.setItem(${JSON.stringify(SORT_KEY)}, ${JSON.stringify(SORT_VALUE)}); } catch {}
  const rd = { firstRowDom: null, firstRowFrame: null, timelineDom: null, timelineFrame: null, clickAt: null,
    seen: {}, counts: [], longTasks: [], track: false };
  window.__rd = rd;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) rd.longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  addEventListener('click', () => { if (rd.clickAt === null) rd.clickAt = performance.now(); }, true);
  const inView = (el) => {
    const r = el.getBoundingClientRect();
    if (r.height === 0 || r.width === 0) return false;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && el.contains(hit);
  };
  let pending = [];
  let asked = false;
  const frame = () => {
    asked = false;
    const t = performance.now();
    if (rd.firstRowDom !== null && rd.firstRowFrame === null) rd.firstRowFrame = t;
    if (rd.timelineDom !== null && rd.timelineFrame === null) rd.timelineFrame = t;
    const batch = pending; pending = [];
    for (const [id, el] of batch) { const s = rd.seen[id]; s.frame = t; s.inView = inView(el); s.index = indexOf(el); }
  };
  const ask = () => { if (!asked) { asked = true; requestAnimationFrame(frame); } };
  const indexOf = (el) => Array.prototype.indexOf.call(document.querySelectorAll(${JSON.stringify(ROW)}), el);
  rd.startTracking = () => {
    for (const el of document.querySelectorAll('[data-id]')) rd.seen[el.getAttribute('data-id')] ??= { dom: -1 };
    rd.track = true;
  };
  let lastCount;
  const note = (el, t) => {
    const id = el.getAttribute('data-id');
    if (id && !rd.seen[id]) { rd.seen[id] = { dom: t }; pending.push([id, el]); ask(); }
  };
  new MutationObserver((records) => {
    const t = performance.now();
    if (rd.firstRowDom === null && document.querySelector(${JSON.stringify(ROW)})) { rd.firstRowDom = t; ask(); }
    if (rd.timelineDom === null && document.querySelector('[data-testid=timeline] [data-kind]')) { rd.timelineDom = t; ask(); }
    if (rd.track) for (const rec of records) {
      if (rec.type === 'attributes') { if (rec.target.nodeType === 1) note(rec.target, t); continue; }
      for (const node of rec.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.hasAttribute('data-id')) note(node, t);
        for (const el of node.querySelectorAll('[data-id]')) note(el, t);
      }
    }
    const count = document.querySelector('[data-testid=queue-count]');
    const text = count ? count.textContent : null;
    if (text !== lastCount) { lastCount = text; rd.counts.push([t, text]); }
  }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-id'] });
})();`;

interface PageMarks {
  firstRowDom: number | null;
  firstRowFrame: number | null;
  timelineDom: number | null;
  timelineFrame: number | null;
  clickAt: number | null;
  longTasks: Array<[number, number]>;
  counts: Array<[number, string | null]>;
  timeOrigin: number;
}

/** What the page script keeps, as the predicates below read it (functions: the page's CSP forbids eval). */
interface InPage {
  __rd: {
    firstRowFrame: number | null;
    timelineFrame: number | null;
    seen: Record<string, { dom: number; frame?: number }>;
  };
}

/** Waits (polled in the page at each frame) until the page script has recorded `mark`. */
async function until(page: Page, mark: 'firstRowFrame' | 'timelineFrame'): Promise<void> {
  await page.waitForFunction((name) => (globalThis as unknown as InPage).__rd[name] !== null, mark, {
    timeout: 60_000,
  });
}

const marks = (page: Page): Promise<PageMarks> =>
  page.evaluate(`(() => { const r = window.__rd; return { firstRowDom: r.firstRowDom, firstRowFrame: r.firstRowFrame,
    timelineDom: r.timelineDom, timelineFrame: r.timelineFrame, clickAt: r.clickAt, longTasks: r.longTasks,
    counts: r.counts, timeOrigin: performance.timeOrigin }; })()`);

// --- the desk ---------------------------------------------------------------------------------------------

class Desk {
  readonly exited: Promise<string>;
  private exit?: string;
  private constructor(
    readonly child: ChildProcess,
    readonly logPath: string,
    readonly base: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve((this.exit = `exit ${code ?? signal}`))),
    );
  }

  /** `npm start`'s process without its rebuild check: the embedded default (SQLite, in-process queue). */
  static async start(dir: string, consoleDir: string): Promise<Desk> {
    const port = await freePort();
    const logPath = join(dir, 'desk.log');
    const log = openSync(logPath, 'a');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'desk', 'src', 'main.js')], {
      cwd: dir,
      // Only what a user's shell would give `npm start`: no DATABASE_URL or REDIS_URL from the bench's environment.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL,
        SQLITE_PATH: join(dir, 'readerdesk.sqlite'),
        DESK_STORAGE_DIR: join(dir, 'attachments'),
        CONSOLE_DIR: consoleDir,
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const desk = new Desk(child, logPath, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + READY_DEADLINE_MS;
    for (;;) {
      if (desk.exit) throw new Error(`the desk stopped (${desk.exit}):\n${desk.tail()}`);
      const ok = await fetch(`${desk.base}/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return desk;
      if (Date.now() > deadline) throw new Error(`the desk was not ready within 120 s:\n${desk.tail()}`);
      await sleep(200);
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  tail(lines = 30): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(killer);
  }
}

async function api<T>(
  base: string,
  method: string,
  path: string,
  auth: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Seeds through the forked load generator of bench/ingest-http: every contact a new reader, so a new conversation. */
async function seed(host: string, port: number, path: string, key: string, count: number) {
  const child = fork(join(__dirname, 'http-load.js'), [], { serialization: 'advanced' });
  try {
    const result = await new Promise<Extract<FromLoad, { type: 'done' }>>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
      child.once('message', (message: FromLoad) =>
        message.type === 'error' ? reject(new Error(message.message)) : resolve(message),
      );
      child.send({
        type: 'run',
        host,
        port,
        path,
        headers: { 'x-api-key': key },
        count,
        inflight: SEED_INFLIGHT,
        tag: `seed-${randomBytes(3).toString('hex')}`,
        // Every even contact's "returning" address is then its own: 10,000 new readers, 10,000 conversations.
        returning: count,
      } satisfies ToLoad);
    });
    const failed = Object.entries(result.statuses).filter(([s]) => !/^2\d\d$/.test(s));
    if (failed.length > 0)
      throw new Error(`seeding: ${JSON.stringify(result.statuses)}\n${result.failures.join('\n')}`);
    return result;
  } finally {
    if (child.connected) child.send({ type: 'close' } satisfies ToLoad);
  }
}

/** Open conversations in the SQLite file, read beside the desk (read-only; better-sqlite3 has no types here). */
function openConversations(file: string): { library: string; open: number }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as new (
    path: string,
    options: { readonly: boolean },
  ) => { prepare(sql: string): { all(): unknown[] }; close(): void };
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT library_id AS library, COUNT(*) AS open FROM conversations WHERE status IN ('new', 'open', 'pending') GROUP BY library_id`,
      )
      .all() as { library: string; open: number }[];
  } finally {
    db.close();
  }
}

// --- the browser ------------------------------------------------------------------------------------------

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: PAGE_SCRIPT });
  return context;
}

interface SignIn {
  cookies: Awaited<ReturnType<BrowserContext['cookies']>>;
  /** Sign-in submit (the click) → first queue row's frame, JavaScript already loaded for the sign-in page. */
  submitToRowMs: number;
}

async function signIn(browser: Browser, base: string): Promise<SignIn> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN.password);
    // The fills clicked nothing; the instrument's first click is the submit.
    await page.evaluate('window.__rd.clickAt = null');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await until(page, 'firstRowFrame');
    const m = await marks(page);
    return { cookies: await context.cookies(), submitToRowMs: (m.firstRowFrame as number) - (m.clickAt as number) };
  } finally {
    await context.close();
  }
}

interface ColdLoad {
  firstRowDomMs: number;
  firstRowMs: number;
  interactiveMs: number;
  clickToOpenMs: number;
  longTasks: number;
  /** Total blocking time (the part of each long task over 50 ms) from navigation to interactive. */
  blockingMs: number;
  lastLongTaskEndMs: number;
  domContentLoadedMs: number;
  scripts: Array<{ url: string; bytes: number; gzip: number; encoding: string | null }>;
  listRequests: string[];
  snapshot?: string;
}

/**
 * A cold load of a signed-in agent: a new context (empty cache) with the session cookies, navigation to /. Then the
 * first row is clicked as soon as Playwright finds it actionable, and interactive is when the conversation pane has
 * painted its timeline's first entry.
 */
async function coldLoad(browser: Browser, base: string, session: SignIn, keepSnapshot: boolean): Promise<ColdLoad> {
  const context = await newContext(browser);
  try {
    await context.addCookies(session.cookies);
    const page = await context.newPage();
    const bodies: Array<Promise<ColdLoad['scripts'][number] | null>> = [];
    const listRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/v1\/conversations(\?|$)/.test(request.url())) listRequests.push(request.url().slice(base.length));
    });
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      bodies.push(
        response
          .body()
          .then((body) => ({
            url: response.url().slice(base.length),
            bytes: body.length,
            gzip: gzipSync(body).length,
            encoding: response.headers()['content-encoding'] ?? null,
          }))
          .catch(() => null),
      );
    });
    await page.goto(base);
    await until(page, 'firstRowFrame');
    const snapshot = keepSnapshot
      ? await page.evaluate<string>(`(() => {
          const d = document.documentElement.cloneNode(true);
          for (const s of d.querySelectorAll('script, link[rel=modulepreload]')) s.remove();
          return '<!doctype html>\\n' + d.outerHTML;
        })()`)
      : undefined;
    await page.locator(ROW).first().click();
    await until(page, 'timelineFrame');
    await sleep(300); // long tasks of the opening, if any, reach the observer
    const m = await marks(page);
    const dcl = await page.evaluate<number>(
      `performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN`,
    );
    const interactive = m.timelineFrame as number;
    const tasks = m.longTasks.filter(([start]) => start < interactive);
    const scripts = (await Promise.all(bodies)).filter((s): s is NonNullable<typeof s> => s !== null);
    return {
      firstRowDomMs: m.firstRowDom as number,
      firstRowMs: m.firstRowFrame as number,
      interactiveMs: interactive,
      clickToOpenMs: interactive - (m.clickAt as number),
      longTasks: tasks.length,
      blockingMs: tasks.reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0),
      lastLongTaskEndMs: m.longTasks.reduce((end, [s, d]) => Math.max(end, s + d), 0),
      domContentLoadedMs: dcl,
      scripts,
      listRequests,
      snapshot,
    };
  } finally {
    await context.close();
  }
}

/** The static ceiling: the same rendered page without any script, from the same server (its /assets). */
async function staticLoad(browser: Browser, url: string): Promise<{ firstRowDomMs: number; firstRowMs: number }> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await until(page, 'firstRowFrame');
    const m = await marks(page);
    return { firstRowDomMs: m.firstRowDom as number, firstRowMs: m.firstRowFrame as number };
  } finally {
    await context.close();
  }
}

/** Page clock − Node clock (epoch ms), from the evaluate round trip with the least delay. */
async function clockOffset(page: Page): Promise<{ offset: number; uncertainty: number }> {
  let best = { offset: 0, uncertainty: Infinity };
  for (let i = 0; i < 30; i++) {
    const before = nodeNow();
    const inPage = await page.evaluate<number>('performance.timeOrigin + performance.now()');
    const after = nodeNow();
    if ((after - before) / 2 < best.uncertainty)
      best = { offset: inPage - (before + after) / 2, uncertainty: (after - before) / 2 };
  }
  return best;
}

interface Arrival {
  postMs: number;
  domMs: number | null;
  frameMs: number | null;
  signal: 'row in view' | 'row in DOM, outside the view' | 'queue count' | 'none';
  index: number | null;
  /** The page's first list request after the POST was sent: its start and its response's end (ms after the send). */
  refetchStartMs: number | null;
  refetchEndMs: number | null;
  /** The first list response that held the new conversation: its request's start and its end (ms after the send). */
  heldStartMs: number | null;
  heldEndMs: number | null;
  /** List responses after the send, before that one, without the new conversation. */
  listsWithout: number;
  /** The last list response to end before the row entered the DOM (the one it was drawn from): start and end. */
  drawnStartMs: number | null;
  drawnEndMs: number | null;
  /** List requests the page started between the send and the row. */
  listsBeforeRow: number;
  id: string;
  /** Long tasks (over 50 ms) on the page's main thread between the send and the row's frame, summed. */
  longTaskMs: number | null;
}

export interface InboundTraffic {
  /** API requests the page sent while contacts arrived, by method and path (ids as :id), per contact. */
  perContact: Record<string, number>;
  /** Requests the page gave up (React Query cancels a refetch when a newer invalidation comes). */
  failed: number;
}

async function inbound(
  page: Page,
  base: string,
  inboxId: string,
  key: string,
  tag: string,
): Promise<{ arrivals: Arrival[]; traffic: InboundTraffic }> {
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
  await page.evaluate('window.__rd.startTracking()');
  const arrivals: Arrival[] = [];
  // The list requests the page sends (the browser's wall clock, as Date.now() here): where the time goes.
  const lists: Array<{ start: number; end: number; body: Promise<string> }> = [];
  const sentAt: number[] = [];
  const traffic: InboundTraffic = { perContact: {}, failed: 0 };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/v1/')) return;
    const path = `${request.method()} ${url.pathname.slice(7).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`;
    traffic.perContact[path] = (traffic.perContact[path] ?? 0) + 1 / CONTACTS;
  });
  page.on('requestfailed', () => (traffic.failed += 1));
  page.on('requestfinished', (request) => {
    if (!/\/api\/v1\/conversations\?/.test(request.url())) return;
    const timing = request.timing();
    const body = request
      .response()
      .then((response) => response?.text() ?? '')
      .catch(() => '');
    lists.push({ start: timing.startTime, end: timing.startTime + timing.responseEnd, body });
  });
  for (let i = 0; i < CONTACTS; i++) {
    const slot = Date.now() + SPACING_MS;
    // Recalibrated for every contact: a few milliseconds of drift would be a few milliseconds of error.
    const { offset } = await clockOffset(page);
    const countsBefore = ((await marks(page)).counts ?? []).length;
    const sent = nodeNow();
    sentAt.push(Date.now());
    const answer = await api<{ conversation: { id: string } }>(
      base,
      'POST',
      `/inboxes/${inboxId}/messages`,
      { 'x-api-key': key },
      {
        externalId: `${tag}-live-${i}`,
        handles: [{ kind: 'email', value: `live-${tag}-${i}@bench.example.org` }],
        subject: `Live contact ${i}`,
        text: `A question that arrives while the console is open (${i}).`,
      },
    );
    const postMs = nodeNow() - sent;
    const id = answer.conversation.id;
    const seen = await page
      .waitForFunction(
        (conversation) => {
          const s = (globalThis as unknown as InPage).__rd.seen[conversation];
          return s && s.frame != null ? s : null;
        },
        id,
        { timeout: 10_000 },
      )
      .then((handle) => handle.jsonValue() as Promise<{ dom: number; frame: number; inView: boolean; index: number }>)
      .catch(() => null);
    const origin = await page.evaluate<number>('performance.timeOrigin');
    // Filled in below, once every list request's timing is known.
    const unmatched = {
      refetchStartMs: null,
      refetchEndMs: null,
      heldStartMs: null,
      heldEndMs: null,
      listsWithout: 0,
      drawnStartMs: null,
      drawnEndMs: null,
      listsBeforeRow: 0,
    };
    const toNode = (t: number) => origin + t - offset - sent;
    if (seen) {
      const frameMs = toNode(seen.frame);
      const busy = (await marks(page)).longTasks
        .filter(([start]) => toNode(start) >= 0 && toNode(start) < frameMs)
        .reduce((sum, [, duration]) => sum + duration, 0);
      arrivals.push({
        ...unmatched,
        longTaskMs: busy,
        postMs,
        domMs: toNode(seen.dom),
        frameMs: toNode(seen.frame),
        signal: seen.inView ? 'row in view' : 'row in DOM, outside the view',
        index: seen.index,
        id,
      });
    } else {
      const change = (await marks(page)).counts.slice(countsBefore).find(([t]) => toNode(t) >= 0);
      arrivals.push({
        ...unmatched,
        postMs,
        domMs: change ? toNode(change[0]) : null,
        frameMs: change ? toNode(change[0]) : null,
        signal: change ? 'queue count' : 'none',
        longTaskMs: null,
        index: null,
        id,
      });
    }
    await sleep(Math.max(0, slot - Date.now()));
  }
  const bodies = await Promise.all(lists.map((l) => l.body));
  arrivals.forEach((arrival, i) => {
    const after = lists
      .map((l, k) => ({ ...l, text: bodies[k] }))
      .filter((l) => l.start >= sentAt[i] && (i + 1 >= sentAt.length || l.start < sentAt[i + 1]))
      .sort((a, b) => a.start - b.start);
    if (after.length > 0) {
      arrival.refetchStartMs = after[0].start - sentAt[i];
      arrival.refetchEndMs = after[0].end - sentAt[i];
    }
    const held = after.findIndex((l) => l.text.includes(arrival.id));
    if (held >= 0) {
      arrival.heldStartMs = after[held].start - sentAt[i];
      arrival.heldEndMs = after[held].end - sentAt[i];
    }
    arrival.listsWithout = held >= 0 ? held : after.length;
    const row = arrival.domMs ?? Infinity;
    const drawn = after.filter((l) => l.end - sentAt[i] <= row + 1).pop();
    if (drawn) {
      arrival.drawnStartMs = drawn.start - sentAt[i];
      arrival.drawnEndMs = drawn.end - sentAt[i];
    }
    arrival.listsBeforeRow = after.filter((l) => l.start - sentAt[i] <= row).length;
  });
  return { arrivals, traffic };
}

// --- the bench --------------------------------------------------------------------------------------------

export async function consoleBench(): Promise<unknown> {
  const executablePath = browserPath();
  const built = join(ROOT, 'dist', 'console');
  const dir = mkdtempSync(join(tmpdir(), 'readerdesk-bench-console-'));
  // A copy of the build: the desk serves it (CONSOLE_DIR), a rebuild of dist/ meanwhile changes nothing here, and
  // the static ceiling page sits beside its assets.
  const consoleDir = join(dir, 'console');
  cpSync(built, consoleDir, { recursive: true });
  const bundle = readdirSync(join(consoleDir, 'assets')).filter((f) => f.endsWith('.js'));
  const sortBuilt = bundle.some((f) => readFileSync(join(consoleDir, 'assets', f), 'utf8').includes(SORT_KEY));
  console.log(
    `embedded default desk (SQLite, one process); console build ${bundle.join(', ')}; ` +
      `"${SORT_KEY}" ${sortBuilt ? 'is' : 'is NOT'} in the bundle; ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`,
  );
  let desk: Desk | undefined;
  let browser: Browser | undefined;
  let failed = true;
  try {
    const bootStart = Date.now();
    desk = await Desk.start(dir, consoleDir);
    console.log(`desk ready in ${Date.now() - bootStart} ms (log ${desk.logPath})`);
    const { base } = desk;
    const { accessToken } = await api<{ accessToken: string }>(
      base,
      'POST',
      '/auth/login',
      {},
      {
        email: DEMO_ADMIN.email,
        password: DEMO_ADMIN.password,
      },
    );
    const bearer = { authorization: `Bearer ${accessToken}` };
    const departments = await api<Array<{ id: string; code: string }>>(base, 'GET', '/departments', bearer);
    const reference = departments.find((d) => d.code === 'reference') ?? departments[0];
    const inbox = await api<{ id: string }>(base, 'POST', '/inboxes', bearer, {
      channel: 'api',
      name: 'Console bench form',
      defaultDepartmentId: reference.id,
    });
    const { key } = await api<{ key: string }>(base, 'POST', '/api-keys', bearer, {
      name: 'Console bench form',
      scopes: [`ingest:${inbox.id}`],
    });
    if (WITH_SLA)
      await api(base, 'POST', '/sla-policies', bearer, {
        name: 'Bench: an hour to answer',
        firstResponseMinutes: 60,
        resolutionMinutes: 24 * 60,
        businessHours: false,
      });

    const seedStart = Date.now();
    const seeded = await seed(
      '127.0.0.1',
      Number(new URL(base).port),
      `/api/v1/inboxes/${inbox.id}/messages`,
      key,
      CONVERSATIONS,
    );
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const open = openConversations(join(dir, 'readerdesk.sqlite'));
    const library = open.reduce((a, b) => (b.open > a.open ? b : a), { library: '', open: 0 });
    console.log(
      `seeded ${CONVERSATIONS} contacts in ${seedSeconds.toFixed(1)} s (${Math.round(CONVERSATIONS / seeded.seconds)}/s at ` +
        `${SEED_INFLIGHT} in flight); open conversations in the library: ${library.open}`,
    );
    await sleep(2000); // SLA timers and dispatches of the seed settle

    browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
    console.log(`chromium ${browser.version()} (${executablePath})`);

    // Cold loads, each after a sign-in of its own.
    const loads: ColdLoad[] = [];
    const submits: number[] = [];
    let snapshot: string | undefined;
    for (let i = 0; i <= LOADS; i++) {
      const session = await signIn(browser, base);
      const load = await coldLoad(browser, base, session, i === 0);
      snapshot ??= load.snapshot;
      if (i === 0) continue; // the first warms the desk's own caches and statements; not counted
      submits.push(session.submitToRowMs);
      loads.push(load);
    }

    // Ceiling: the same page, rendered, without scripts, from the same server.
    writeFileSync(join(consoleDir, 'assets', 'static-queue.html'), snapshot as string);
    const statics: Array<{ firstRowDomMs: number; firstRowMs: number }> = [];
    for (let i = 0; i <= LOADS; i++) {
      const s = await staticLoad(browser, `${base}/assets/static-queue.html`);
      if (i > 0) statics.push(s);
    }
    const snapshotRows = (snapshot?.match(/data-id="/g) ?? []).length;

    // Ceiling: the bare REST call(s) the console made for its list.
    const listPath = loads[0].listRequests[0] ?? '/api/v1/conversations?limit=100';
    const listTimes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const at = nodeNow();
      const res = await fetch(`${base}${listPath}`, { headers: bearer });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${listPath} answered ${res.status}`);
      if (i >= 10) listTimes.push(nodeNow() - at);
    }
    const listBytes = (await (await fetch(`${base}${listPath}`, { headers: bearer })).arrayBuffer()).byteLength;

    // Inbound contacts into an open, signed-in page.
    const live = await signIn(browser, base);
    const context = await newContext(browser);
    await context.addCookies(live.cookies);
    const page = await context.newPage();
    await page.goto(base);
    await until(page, 'firstRowFrame');
    const calibration = await clockOffset(page);
    const { arrivals, traffic } = await inbound(page, base, inbox.id, key, randomBytes(3).toString('hex'));
    const sortInPage = await page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(SORT_KEY)})`);
    await context.close();

    // --- figures ---
    const firstRow = summary(loads.map((l) => l.firstRowMs));
    const firstRowDom = summary(loads.map((l) => l.firstRowDomMs));
    const interactive = summary(loads.map((l) => l.interactiveMs));
    const clickToOpen = summary(loads.map((l) => l.clickToOpenMs));
    const blocking = summary(loads.map((l) => l.blockingMs));
    const dcl = summary(loads.map((l) => l.domContentLoadedMs));
    const submit = summary(submits);
    const staticRow = summary(statics.map((s) => s.firstRowMs));
    const list = summary(listTimes);
    const scripts = loads[0].scripts;
    const jsBytes = scripts.reduce((a, s) => a + s.bytes, 0);
    const jsGzip = scripts.reduce((a, s) => a + s.gzip, 0);
    const allJsGzip = bundle.reduce((a, f) => a + gzipSync(readFileSync(join(consoleDir, 'assets', f))).length, 0);
    const signals = arrivals.reduce<Record<string, number>>(
      (acc, a) => ((acc[a.signal] = (acc[a.signal] ?? 0) + 1), acc),
      {},
    );
    const measured = arrivals.filter((a) => a.frameMs !== null);
    const visible = summary(measured.map((a) => a.frameMs as number));
    const visibleDom = summary(measured.map((a) => a.domMs as number));
    const post = summary(arrivals.map((a) => a.postMs));
    const refetchStart = summary(arrivals.flatMap((a) => (a.refetchStartMs === null ? [] : [a.refetchStartMs])));
    const heldStart = summary(arrivals.flatMap((a) => (a.heldStartMs === null ? [] : [a.heldStartMs])));
    const heldEnd = summary(arrivals.flatMap((a) => (a.heldEndMs === null ? [] : [a.heldEndMs])));
    const without = arrivals.reduce((sum, a) => sum + a.listsWithout, 0) / Math.max(1, arrivals.length);
    const drawnStart = summary(arrivals.flatMap((a) => (a.drawnStartMs === null ? [] : [a.drawnStartMs])));
    const drawnEnd = summary(arrivals.flatMap((a) => (a.drawnEndMs === null ? [] : [a.drawnEndMs])));
    const listsBeforeRow = summary(arrivals.map((a) => a.listsBeforeRow));
    const longTask = summary(arrivals.flatMap((a) => (a.longTaskMs === null ? [] : [a.longTaskMs])));
    const refetchEnd = summary(arrivals.flatMap((a) => (a.refetchEndMs === null ? [] : [a.refetchEndMs])));
    const indexes = arrivals.map((a) => a.index).filter((n): n is number => n !== null);

    const rows: Array<[string, Summary | null, string]> = [
      ['cold load: nav → first queue row (next frame)', firstRow, ''],
      ['cold load: nav → first queue row in the DOM', firstRowDom, ''],
      ['cold load: nav → interactive (defined below)', interactive, ''],
      ['cold load: click on the first row → conversation painted', clickToOpen, ''],
      ['cold load: total blocking time, nav → interactive', blocking, ''],
      ['cold load: nav → DOMContentLoaded', dcl, ''],
      ['sign-in submit → first queue row (JS already loaded)', submit, ''],
      [`ceiling: static snapshot (${snapshotRows} rows, no script), nav → first row`, staticRow, ''],
      [`ceiling: bare GET ${listPath} (${(listBytes / 1024).toFixed(0)} KB)`, list, ''],
      [
        `inbound: POST sent → row's frame (${measured.length} of ${arrivals.length})`,
        visible,
        `target ${TARGET_VISIBLE_MS}`,
      ],
      ['inbound: POST sent → row in the DOM', visibleDom, ''],
      ['inbound: POST sent → the page starts its list request', refetchStart, ''],
      ["inbound: POST sent → that request's response ends", refetchEnd, ''],
      ['inbound: POST sent → first list request holding the row starts', heldStart, ''],
      ['inbound: POST sent → first list response holding the row ends', heldEnd, ''],
      ['inbound: POST sent → the list request the row was drawn from starts', drawnStart, ''],
      ['inbound: POST sent → the list response the row was drawn from ends', drawnEnd, ''],
      ['inbound: long tasks on the page between send and row', longTask, ''],
      ['ceiling: the POST round trip itself', post, ''],
    ];
    const head = ['measurement', 'n', 'p50 ms', 'p95 ms', 'max ms', ''];
    const body = rows.map(([name, s, note]) => [name, String(s?.n ?? ''), f1(s?.p50), f1(s?.p95), f1(s?.max), note]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log();
    console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));
    console.log(
      `\ninteractive: navigation start → the frame after the conversation pane shows its first timeline entry, the ` +
        `first queue row having been clicked (Playwright) as soon as it was painted and actionable. "next frame": the ` +
        `first requestAnimationFrame after the MutationObserver saw the element. ${LOADS} cold loads (one more before ` +
        `them not counted), each a new browser context with the cookies of its own fresh sign-in.`,
    );
    console.log(
      `first row / static ceiling: ${(firstRow.p50 / staticRow.p50).toFixed(2)} (p50); interactive / static: ` +
        `${(interactive.p50 / staticRow.p50).toFixed(2)}; first row / bare list call: ${(firstRow.p50 / list.p50).toFixed(1)}; ` +
        `long tasks per load ${summary(loads.map((l) => l.longTasks)).p50} (p50), last one ending at ` +
        `${f1(summary(loads.map((l) => l.lastLongTaskEndMs)).p50)} ms (p50)`,
    );
    console.log(
      `\nJavaScript on first load: ${scripts.length} file(s), ${(jsBytes / 1024).toFixed(1)} KB raw, ` +
        `${(jsGzip / 1024).toFixed(1)} KB gzip (zlib level 6) against the ${TARGET_JS_GZIP_KB} KB aim ` +
        `(${((100 * jsGzip) / 1024 / TARGET_JS_GZIP_KB).toFixed(0)} %); served with content-encoding ` +
        `${[...new Set(scripts.map((s) => s.encoding ?? 'none'))].join(', ')}; every .js in the build: ` +
        `${(allJsGzip / 1024).toFixed(1)} KB gzip`,
    );
    for (const s of scripts)
      console.log(`  ${s.url}  ${(s.bytes / 1024).toFixed(1)} KB, gzip ${(s.gzip / 1024).toFixed(1)} KB`);
    console.log(
      `\ninbound → visible: ${CONTACTS} contacts, one every ${SPACING_MS} ms, each opening a new conversation; ` +
        `signals: ${Object.entries(signals)
          .map(([s, n]) => `${s} ×${n}`)
          .join(', ')}; sort in the page's localStorage: ${sortInPage ?? 'unset'} (in the bundle: ${sortBuilt}); ` +
        `row position in the queue p50 ${indexes.length ? percentile(sorted(indexes), 50) : 'n/a'}; ` +
        `clock offset page − node ${calibration.offset.toFixed(2)} ms ± ${calibration.uncertainty.toFixed(2)}`,
    );
    console.log(
      `inbound p50 ${f1(visible.p50)} / p95 ${f1(visible.p95)} / max ${f1(visible.max)} ms against the ` +
        `${TARGET_VISIBLE_MS} ms target (${visible.p95 <= TARGET_VISIBLE_MS ? 'met' : 'not met'} at p95); ` +
        `ratio to the POST + list call (${f1(post.p50 + list.p50)} ms): ${(visible.p50 / (post.p50 + list.p50)).toFixed(2)}`,
    );
    console.log(
      `the page's API requests per contact: ${Object.entries(traffic.perContact)
        .sort((a, b) => b[1] - a[1])
        .map(([path, n]) => `${path} ×${n.toFixed(2)}`)
        .join(', ')}; requests given up: ${traffic.failed}; list responses after the send still without the new ` +
        `conversation, per contact: ${without.toFixed(2)}; list requests started between the send and the row: ` +
        `p50 ${listsBeforeRow.p50}, max ${listsBeforeRow.max}`,
    );
    failed = false;
    return {
      conversations: library.open,
      seedSeconds,
      sortBuilt,
      firstRow,
      firstRowDom,
      interactive,
      clickToOpen,
      blocking,
      submitToFirstRow: submit,
      staticFirstRow: staticRow,
      listCall: { path: listPath, bytes: listBytes, ...list },
      ratioFirstRowToStatic: firstRow.p50 / staticRow.p50,
      js: {
        files: scripts.length,
        bytes: jsBytes,
        gzip: jsGzip,
        allGzip: allJsGzip,
        aimGzip: TARGET_JS_GZIP_KB * 1024,
      },
      inbound: {
        contacts: CONTACTS,
        spacingMs: SPACING_MS,
        signals,
        visible,
        visibleDom,
        post,
        refetchStart,
        refetchEnd,
        heldStart,
        heldEnd,
        listsWithout: without,
        drawnStart,
        drawnEnd,
        listsBeforeRow,
        longTask,
        traffic,
      },
      loadAverage: loadavg()[0],
    };
  } finally {
    await browser?.close();
    await desk?.stop();
    if (failed) console.error(`--- the desk's log: ${desk?.logPath ?? '(not started)'}; kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
