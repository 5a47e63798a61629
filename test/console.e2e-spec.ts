import AxeBuilder from '@axe-core/playwright';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { describeWithDatabase } from '@readerdesk/testing';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, TestApp } from './support/test-app';

/** Debian's chromium (`.ci/run` installs it); nothing here downloads a browser. */
function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = chromiumPath();
const describeInBrowser = executablePath ? describeWithDatabase : describe.skip;
if (!executablePath)
  console.warn('SKIPPED test/console: no chromium on PATH (apt-get install chromium, or set CHROMIUM_PATH)');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Serious and critical accessibility violations on the page as it is now (axe-core). */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describeInBrowser('the agent console in a real browser', () => {
  let desk: TestApp;
  let browser: Browser;
  let url: string;
  let inboxId: string;
  let adminAuth: { Authorization: string };
  /** Any request the page makes to somewhere other than the desk (a remote image, a beacon). */
  const strayRequests: string[] = [];

  beforeAll(async () => {
    expect(existsSync(join(__dirname, '..', 'dist', 'console', 'index.html'))).toBe(true); // npm install builds it
    desk = await createTestApp();
    url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    adminAuth = await desk.signIn(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const departments = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    inboxId = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(adminAuth)
        .send({
          channel: 'api',
          name: 'Web form',
          defaultDepartmentId: departments.find((d) => d.code === 'reference')!.id,
        })
        .expect(201)
    ).body.id;
    browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
  });

  async function signedIn(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on('request', (request) => {
      const target = request.url();
      if (!target.startsWith(url) && !target.startsWith('data:') && !target.startsWith('about:'))
        strayRequests.push(target);
    });
    await page.goto(url);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    return page;
  }

  it('serves the sign-in page at / with its own content security policy, and it is accessible', async () => {
    const page = await (await browser.newContext()).newPage();
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { name: 'Sign in to the desk' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // A wrong password shows the server's message; nothing goes blank.
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/\w/);
    await page.context().close();
  });

  it('shows an inbound contact live, opens it, replies on its channel and resolves it', async () => {
    const page = await signedIn();
    expect(await seriousViolations(page)).toEqual([]);
    const subject = `Reading room hours ${Date.now()}`;
    await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `console-${Date.now()}`,
        handles: [{ kind: 'email', value: 'reader.console@example.org' }],
        displayName: 'Ada Reader',
        subject,
        text: 'Is the reading room open on Sunday?',
      })
      .expect(201);
    // No reload: the socket's event brings it into the open queue.
    const row = page.getByTestId('queue').getByRole('button', { name: new RegExp(subject) });
    await row.waitFor();
    await row.click();
    await page.getByTestId('timeline').getByText('Is the reading room open on Sunday?').waitFor();
    await page.getByRole('complementary', { name: 'Reader' }).getByText('Ada Reader').waitFor();
    await page.getByText('No library system is connected.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Reply' }).fill('Yes, from 1 to 5 pm.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('timeline').locator('[data-kind="outbound"]').getByText('Yes, from 1 to 5 pm.').waitFor();
    const conversations = (
      await desk.http.get('/api/v1/conversations').query({ q: subject }).set(adminAuth).expect(200)
    ).body.items as Array<{ id: string; firstResponseAt: string | null }>;
    expect(conversations).toHaveLength(1);
    expect(conversations[0].firstResponseAt).not.toBeNull();

    const resolved = page.waitForResponse((r) => r.url().endsWith(`/conversations/${conversations[0].id}/status`));
    await page.getByRole('button', { name: 'Resolve' }).click();
    // The close dialog records the READ level and the question type.
    const dialog = page.getByRole('dialog', { name: 'Resolve the conversation' });
    await dialog.getByRole('combobox', { name: 'Question type' }).click();
    await page.getByRole('option', { name: 'Ready reference' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    expect((await resolved).status()).toBe(200);
    const stored = await desk.http.get(`/api/v1/conversations/${conversations[0].id}`).set(adminAuth).expect(200);
    expect(stored.body).toMatchObject({ status: 'resolved', readLevel: 2, questionType: 'ready_reference' });
    // The open queue drops it live.
    await row.waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('keeps hostile email HTML inert: no script runs and nothing remote loads', async () => {
    const page = await signedIn();
    const subject = `Hostile ${Date.now()}`;
    const payloads = [
      '<script>parent.__pwned = "script"</script>',
      '<img src="http://203.0.113.9/pixel.png" onerror="parent.__pwned = \'onerror\'">',
      '<a href="javascript:parent.__pwned = \'link\'">click</a>',
      '<svg onload="parent.__pwned = \'svg\'"><circle r="4"/></svg>',
      '<div style="background:url(http://203.0.113.9/bg.png)">css</div>',
      '<meta http-equiv="refresh" content="0;url=http://203.0.113.9/">',
      '<img srcset="http://203.0.113.9/a.png 1x" alt="srcset">',
      '<p>Visible text of the hostile mail</p>',
    ];
    await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `hostile-${Date.now()}`,
        handles: [{ kind: 'email', value: 'hostile@example.org' }],
        subject,
        text: 'Visible text of the hostile mail',
        html: payloads.join('\n'),
      })
      .expect(201);
    await page
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(subject) })
      .click();
    await page.getByTestId('timeline').waitFor();
    await page.waitForTimeout(500);
    const frames = page.frames().filter((frame) => frame !== page.mainFrame());
    for (const frame of frames) {
      await frame
        .getByText('css')
        .click({ timeout: 2000 })
        .catch(() => undefined);
      await frame
        .getByText('click')
        .click({ timeout: 2000 })
        .catch(() => undefined);
    }
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(strayRequests.filter((r) => r.includes('203.0.113.9'))).toEqual([]);
    expect(page.url().startsWith(url)).toBe(true);
    await page.context().close();
  });

  it('lays the whole shell out right to left in Persian', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: 'فارسی' }).click();
    await page.getByRole('heading', { name: 'ورود به میز خدمات' }).waitFor();
    expect(await page.evaluate('[document.documentElement.dir, document.documentElement.lang]')).toEqual(['rtl', 'fa']);
    const box = await page.getByRole('button', { name: 'ورود' }).boundingBox();
    expect(box).not.toBeNull();
    await page.screenshot({ path: join(__dirname, '..', 'dist', 'console-fa.png') });
    await page.context().close();
  });
});
