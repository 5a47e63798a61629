#!/usr/bin/env node
// The README's screenshots (docs/screenshots/*.png), taken again: starts the desk (embedded mode, the demo
// library) on a fresh SQLite file in a temporary directory, seeds conversations through the REST API, signs in
// to the console in Debian's chromium (playwright-core, never a downloaded browser) and stops the desk at the end.
//
//   node scripts/screenshots.js                  every screenshot
//   node scripts/screenshots.js board admin      only these (names without .png)
//   --no-build                                   use dist/ as it is (else it is rebuilt when the sources changed)
//   SCREENSHOTS_DIR=/tmp/shots                   write somewhere else than docs/screenshots
//   CHROMIUM_PATH=/path/to/chromium              another chromium than the one on PATH
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { chromium } = require('playwright-core');

const root = join(__dirname, '..');
const SHOTS = [
  'sign-in',
  'conversation',
  'conversation-fa',
  'queue-narrow',
  'conversation-narrow',
  'conversation-narrow-fa',
  'board',
  'admin',
];
const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('--')).map((a) => a.replace(/\.png$/, ''));
for (const name of wanted) {
  if (!SHOTS.includes(name)) {
    console.error(`unknown screenshot ${name}; one of: ${SHOTS.join(', ')}`);
    process.exit(2);
  }
}
const take = (name) => wanted.length === 0 || wanted.includes(name);
const outDir = process.env.SCREENSHOTS_DIR ?? join(root, 'docs', 'screenshots');
/** The project's own chromium flags and demo sign-ins, read from dist/ (built before they are needed). */
const built = (path) => require(join(root, 'dist', path));
const chromiumFlags = () => built('libs/testing/src/local.js').CHROMIUM_FLAGS;
const demo = () => built('libs/persistence/src/demo/demo-library.js');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const MINUTE = 60_000;

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The desk in a child process of its own, on a fresh database; `stop()` ends it. */
async function startDesk(dir) {
  const port = await freePort();
  const desk = spawn(process.execPath, [join(root, 'dist', 'apps', 'desk', 'src', 'main.js')], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DESK_ROLE: 'all',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      SQLITE_PATH: join(dir, 'desk.sqlite'),
      DESK_STORAGE: 'local',
      DESK_STORAGE_DIR: join(dir, 'attachments'),
      DESK_SEED_DEMO: 'true',
      DESK_MAILBOX_RETRY_BASE_MS: '1000',
      DATABASE_URL: '',
      REDIS_URL: '',
      DESK_SMTP_PORT: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => desk.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (desk.exitCode !== null) throw new Error(`the desk exited with ${desk.exitCode} before it was ready`);
    try {
      if ((await globalThis.fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the desk was not ready within a minute');
    await sleep(200);
  }
  const stop = async () => {
    if (desk.exitCode !== null) return;
    desk.kill('SIGTERM');
    if (await Promise.race([exited.then(() => true), sleep(15_000, false)])) return;
    desk.kill('SIGKILL');
    await exited;
  };
  return { base, stop };
}

function client(base) {
  const call = async (method, path, token, body) => {
    const res = await globalThis.fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const login = async (email, password) => (await call('POST', '/auth/login', null, { email, password })).accessToken;
  return { call, login };
}

/** Waits until `test` holds (polling), or fails naming `what`. */
async function until(what, test, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Everything the screenshots show, through the REST API, in the order the screenshots need it. */
async function seeder(base) {
  const { call, login } = client(base);
  const { DEMO_ADMIN: ADMIN } = demo();
  const admin = await login(ADMIN.email, ADMIN.password);
  const me = await call('GET', '/auth/me', admin);
  const departments = Object.fromEntries((await call('GET', '/departments', admin)).map((d) => [d.code, d.id]));
  const agents = Object.fromEntries((await call('GET', '/agents', admin)).map((a) => [a.email.split('@')[0], a]));
  const tokens = {};
  const as = async (who) => (tokens[who] ??= await login(agents[who].email, demo().DEMO_AGENT_PASSWORD));
  let contacts = 0;
  /** A reader's contact through an inbox; `minutesAgo` dates it back (the desk takes the channel's time). */
  const contact = async (inbox, handle, displayName, subject, text, minutesAgo = 0) =>
    (
      await call('POST', `/inboxes/${inbox}/messages`, admin, {
        externalId: `screenshots-${++contacts}`,
        handles: [handle],
        displayName,
        subject,
        text,
        ...(minutesAgo ? { receivedAt: new Date(Date.now() - minutesAgo * MINUTE).toISOString() } : {}),
      })
    ).conversation.id;
  const email = (value) => ({ kind: 'email', value });
  const phone = (value) => ({ kind: 'phone', value });
  /** `who` takes the conversation and answers it (their first response), and resolves it when asked. */
  const answer = async (who, id, text, resolve) => {
    const token = who === 'admin' ? admin : await as(who);
    const assigneeId = who === 'admin' ? me.id : agents[who].id;
    await call('POST', `/conversations/${id}/assign`, admin, { assigneeId });
    await call('POST', `/conversations/${id}/replies`, token, { text });
    if (resolve) await call('POST', `/conversations/${id}/status`, token, { status: 'resolved', ...resolve });
  };
  const sla = (id) => call('GET', `/conversations/${id}`, admin).then((c) => c.sla ?? {});

  return {
    /** Inboxes, a four-hour policy, and the Reference desk's six web-form questions (the agent screenshots). */
    async agentDesk() {
      const form = (
        await call('POST', '/inboxes', admin, {
          channel: 'api',
          name: 'Ask a Librarian form',
          defaultDepartmentId: departments.reference,
        })
      ).id;
      await call('POST', '/inboxes/email', admin, {
        name: 'Loans mail',
        address: 'loans@riverside.example.org',
        fromName: 'Riverside Library — Loans',
        defaultDepartmentId: departments.circulation,
      });
      // A mailbox whose server refuses every connection: the inboxes screen shows it failing, with its last error.
      await call('POST', '/inboxes/email', admin, {
        name: 'Reference mail',
        address: 'ask@riverside.example.org',
        fromName: 'Riverside Library — Ask a Librarian',
        defaultDepartmentId: departments.reference,
        imap: { host: '127.0.0.1', port: 1, secure: false, user: 'ask', password: 'not-a-real-password' },
      });
      await call('POST', '/sla-policies', admin, {
        name: 'Everything: first answer within 4 hours',
        firstResponseMinutes: 240,
        businessHours: false,
      });
      const local = await contact(
        form,
        email('maria@example.org'),
        'Maria Gonzalez',
        'Local history sources for 1920s newspapers',
        'Where can I find local newspapers from the 1920s? I am researching my street.',
        25,
      );
      const thesis = await contact(
        form,
        email('wang.fang@example.org'),
        'Wang Fang',
        'Thesis: access to JSTOR from home',
        'JSTOR asks me to log in when I am at home. My card is 2100345.',
      );
      await call('PATCH', `/conversations/${thesis}`, admin, { priority: 'high', tags: ['e-resources', 'thesis'] });
      await contact(
        form,
        email('aisha.bello@example.org'),
        'Aisha Bello',
        'Is the reading room open on Sunday?',
        'Is the reading room open on Sunday afternoon, and until when?',
      );
      await contact(
        form,
        email('jonas.weber@example.org'),
        'Jonas Weber',
        'Renewing a laptop loan',
        'My laptop loan ends tomorrow. Can I keep it one more week?',
      );
      await contact(
        form,
        email('priya.natarajan@example.org'),
        'Priya Natarajan',
        'Book club sets for March',
        'Our book club would like ten copies of the same novel for March. How do we ask for a set?',
      );
      await contact(
        form,
        email('kwame.mensah@example.org'),
        'Kwame Mensah',
        'Printing from my phone',
        'How do I send a document from my phone to the printers at Central?',
      );
      await call('POST', `/conversations/${local}/assign`, admin, { assigneeId: me.id });
      await call('POST', `/conversations/${local}/notes`, admin, {
        text: 'Microfilm reels are on the 2nd floor; the 1920s index is in the local studies room.',
      });
      await call('POST', `/conversations/${local}/replies`, admin, {
        text: 'Hello Maria, our microfilm collection has the Riverside Herald from 1919 to 1931. You can read it on the 2nd floor.',
      });
      // The same reader writes again: it continues her conversation.
      await contact(
        form,
        email('maria@example.org'),
        'Maria Gonzalez',
        'Local history sources for 1920s newspapers',
        'Thank you! Do I need to book a microfilm reader?',
      );
      return { form, local, thesis };
    },

    /**
     * The supervisor board's day: chat and SMS queues with short first-response targets, contacts that arrived
     * earlier today (their channel's time), some answered and resolved by the demo agents, some past their target.
     * Returns when the newest chats are in breach too (a minute's target, waited out).
     */
    async boardDay(form) {
      const inbox = async (channel, name, department) =>
        (await call('POST', '/inboxes', admin, { channel, name, defaultDepartmentId: departments[department] })).id;
      const chat = await inbox('chat', 'Website chat', 'reference');
      const kidsChat = await inbox('chat', "Children's chat", 'childrens');
      const texts = await inbox('sms', 'Text messages', 'circulation');
      const renewals = await inbox('api', 'Renewals form', 'circulation');
      await call('POST', '/sla-policies', admin, {
        name: 'Chat: first answer within a minute',
        channel: 'chat',
        firstResponseMinutes: 1,
        businessHours: false,
      });
      await call('POST', '/sla-policies', admin, {
        name: 'Text messages: first answer within 15 minutes',
        channel: 'sms',
        firstResponseMinutes: 15,
        businessHours: false,
      });
      const chatsAt = Date.now();
      const late = [
        await contact(
          chat,
          email('noor.haddad@example.org'),
          'Noor Haddad',
          'Citing a web page in APA style',
          'How do I cite a web page that has no author in APA style?',
        ),
        await contact(
          chat,
          email('dan.whitfield@example.org'),
          'Dan Whitfield',
          'Is “Crook Manifesto” on the shelf?',
          'Is “Crook Manifesto” on the shelf at Central today?',
        ),
        await contact(
          kidsChat,
          email('grace.obi@example.org'),
          'Grace Obi',
          'Story time this Saturday',
          'Is there story time at Lakeside this Saturday morning?',
        ),
        await contact(
          texts,
          phone('+1 212 555 0147'),
          undefined,
          'Renew by text',
          'Can I renew my books by text message?',
          25,
        ),
      ];
      const hold = await contact(
        texts,
        phone('+1 212 555 0188'),
        undefined,
        'Hold ready?',
        'Is my hold for “The Overstory” ready to pick up?',
        12,
      );
      await answer('arash.karimi', hold, 'Yes: it is on the hold shelf at Central under your last name until Tuesday.');
      const card = await contact(
        renewals,
        email('elena.petrova@example.org'),
        'Elena Petrova',
        'Lost library card',
        'I lost my library card. How do I get a new one?',
        20,
      );
      await answer(
        'arash.karimi',
        card,
        'Bring an ID to any desk and we print a new card at once; your loans stay on your account.',
        { readLevel: 1, questionType: 'circulation_account' },
      );
      const genealogy = await contact(
        form,
        email('samuel.brooks@example.org'),
        'Samuel Brooks',
        'Genealogy databases from home',
        'Can I use the genealogy databases from home with my library card?',
        80,
      );
      await answer(
        'lena.hoffmann',
        genealogy,
        'Yes: HeritageQuest works from home with your card; Ancestry only on the library’s computers.',
        { readLevel: 2, questionType: 'ready_reference' },
      );
      const photos = await contact(
        form,
        email('lucia.romano@example.org'),
        'Lucia Romano',
        'Scanning old photographs',
        'Can I scan old family photographs at the library, and in what resolution?',
        40,
      );
      await answer(
        'lena.hoffmann',
        photos,
        'Yes, the flatbed scanner in the Media Lab scans photographs up to 1200 dpi. Shall I book it for you?',
      );
      const ill = await contact(
        form,
        email('ahmed.yusuf@example.org'),
        'Ahmed Yusuf',
        'Inter-library loan: a 1962 dissertation',
        'Could you get a 1962 dissertation from the University of Chicago through inter-library loan?',
        55,
      );
      await answer(
        'sam.okafor',
        ill,
        'We have asked the University of Chicago for it; you will hear from us when it arrives, usually within ten days.',
        { readLevel: 3, questionType: 'research' },
      );
      // Presence last, and nobody available: an available agent would be offered the waiting chats.
      await call('PUT', '/agents/me/presence', await as('lena.hoffmann'), { presence: 'busy' });
      await call('PUT', '/agents/me/presence', await as('arash.karimi'), { presence: 'busy' });
      await call('PUT', '/agents/me/presence', await as('mei.chen'), { presence: 'away' });
      // The desk's SLA timers record each breach at its due time (the chats' a minute after they arrived).
      await sleep(Math.max(0, chatsAt + 65_000 - Date.now()));
      for (const id of late) await until('a breach', async () => Boolean((await sla(id)).firstResponseBreachedAt));
    },

    /** A reader who writes in Persian, is answered in Persian and writes back (the right-to-left phone screenshot). */
    async persian(form) {
      const id = await contact(
        form,
        email('reza.ahmadi@example.org'),
        'Reza Ahmadi',
        'کتاب داستان فارسی برای کودکان',
        'سلام. آیا شعبهٔ لیک‌ساید کتاب داستان فارسی برای کودکان دارد؟ پسرم هفت ساله است.',
      );
      await answer(
        'admin',
        id,
        'سلام آقای احمدی، بله؛ قفسهٔ کتاب‌های فارسی کودکان در طبقهٔ اول شعبهٔ لیک‌ساید است و می‌توانید آن‌ها را از همین‌جا رزرو کنید.',
      );
      await contact(
        form,
        email('reza.ahmadi@example.org'),
        'Reza Ahmadi',
        'کتاب داستان فارسی برای کودکان',
        'ممنون! می‌توانم کتاب‌ها را در کتابخانهٔ مرکزی تحویل بگیرم؟',
      );
      return id;
    },
  };
}

/** A browser context signed in to the console (its session cookie), in English or Persian. */
async function signedIn(browser, base, viewport, language = 'en') {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'America/New_York',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(base);
  const { DEMO_ADMIN: ADMIN } = demo();
  await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  if (language !== 'en') {
    // What the language picker keeps; the console reads it as it loads.
    await page.evaluate(`localStorage.setItem('rd.language', ${JSON.stringify(language)})`);
    await page.reload();
    await until(
      `the console in ${language}`,
      async () => (await page.evaluate('document.documentElement.lang')) === language,
    );
  }
  return page;
}

/** Waits for fonts, images and a quiet moment, refuses to keep an error on screen, and writes the PNG. */
async function shoot(page, name, options = {}) {
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await sleep(600);
  const alerts = await page.getByRole('alert').allInnerTexts();
  if (alerts.some((text) => text.trim())) throw new Error(`${name}: an alert is on screen: ${alerts.join(' | ')}`);
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, ...options });
  console.log(`wrote ${path}`);
}

async function main() {
  if (!args.includes('--no-build')) require('./build.js');
  if (!existsSync(join(root, 'dist', 'console', 'index.html'))) throw new Error('no dist/console: npm run build');
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no chromium on PATH (apt-get install chromium, or set CHROMIUM_PATH)');
  mkdirSync(outDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'readerdesk-screenshots-'));
  let desk;
  let browser;
  try {
    desk = await startDesk(dir);
    const { base } = desk;
    const seed = await seeder(base);
    browser = await chromium.launch({ executablePath, args: chromiumFlags(), headless: true });

    const { form, local, thesis } = await seed.agentDesk();
    if (take('sign-in')) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(base);
      await page.getByRole('heading', { name: 'Sign in to the desk' }).waitFor();
      await shoot(page, 'sign-in');
      await context.close();
    }
    if (take('conversation')) {
      const page = await signedIn(browser, base, DESKTOP);
      await page.goto(`${base}/#/c/${local}`);
      await page.getByTestId('timeline').getByText('Do I need to book a microfilm reader?').waitFor();
      await page.getByRole('complementary', { name: 'Reader' }).getByText('Maria Gonzalez').waitFor();
      await shoot(page, 'conversation');
      await page.context().close();
    }
    if (take('conversation-fa')) {
      const page = await signedIn(browser, base, DESKTOP, 'fa');
      await page.goto(`${base}/#/c/${local}`);
      await page.getByTestId('timeline').getByText('Do I need to book a microfilm reader?').waitFor();
      await shoot(page, 'conversation-fa');
      await page.context().close();
    }
    if (take('queue-narrow')) {
      const page = await signedIn(browser, base, PHONE);
      await page.getByTestId('queue').getByText('Printing from my phone').waitFor();
      await shoot(page, 'queue-narrow');
      await page.context().close();
    }
    if (take('conversation-narrow')) {
      const page = await signedIn(browser, base, PHONE);
      await page.goto(`${base}/#/c/${thesis}`);
      await page.getByTestId('timeline').getByText('JSTOR asks me to log in').waitFor();
      await shoot(page, 'conversation-narrow');
      await page.context().close();
    }

    const persian = await seed.persian(form);
    if (take('conversation-narrow-fa')) {
      const page = await signedIn(browser, base, PHONE, 'fa');
      await page.goto(`${base}/#/c/${persian}`);
      await page.getByTestId('timeline').getByText('در کتابخانهٔ مرکزی تحویل بگیرم', { exact: false }).waitFor();
      // The conversation from its title down (the reader's card above it scrolls away), the answer in view.
      await page.getByRole('heading', { name: /کتاب داستان فارسی/ }).evaluate((heading) => {
        heading.scrollIntoView({ block: 'start' });
        heading.closest('.rd-main').scrollTop -= 16;
      });
      await shoot(page, 'conversation-narrow-fa');
      await page.context().close();
    }

    if (take('board') || take('admin')) await seed.boardDay(form);
    if (take('admin')) {
      const page = await signedIn(browser, base, DESKTOP);
      await page.goto(`${base}/#/admin`);
      await page.getByRole('tab', { name: 'Inboxes' }).click();
      await page.getByText('Last error', { exact: false }).waitFor({ timeout: 60_000 });
      await shoot(page, 'admin');
      await page.context().close();
    }
    if (take('board')) {
      const page = await signedIn(browser, base, DESKTOP);
      await page.goto(`${base}/#/board`);
      await page.getByTestId('board-breaches').waitFor();
      await page.getByTestId('board-hours').locator('svg.recharts-surface').first().waitFor();
      // The board scrolls inside the screen, not the page: a window as tall as all of it (tiles, breaches, hours, agents).
      const height = await page.evaluate(
        "document.querySelector('.rd-screen').scrollHeight + document.querySelector('header').offsetHeight",
      );
      await page.setViewportSize({ width: DESKTOP.width, height: Math.min(height, 2400) });
      await shoot(page, 'board');
      await page.context().close();
    }
  } finally {
    await browser?.close();
    await desk?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
