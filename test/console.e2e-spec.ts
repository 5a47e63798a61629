import AxeBuilder from '@axe-core/playwright';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from '@readerdesk/persistence';
import { CHROMIUM_FLAGS, chromiumPath, describeWithDatabase } from '@readerdesk/testing';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Clock } from '@readerdesk/platform';
import { SlaService } from '@readerdesk/sla';
import { DateTime } from 'luxon';
import { SmtpInboundServer } from '@readerdesk/channels';
import { createTransport } from 'nodemailer';
import PostalMime from 'postal-mime';
import { poll, type RelayedMail, startRelay, type TestRelay } from './support/email-desk';
import { createTestApp, TestApp } from './support/test-app';

const executablePath = chromiumPath();
const describeInBrowser = executablePath ? describeWithDatabase : describe.skip;
if (!executablePath)
  console.warn('SKIPPED test/console: no chromium on PATH (apt-get install chromium, or set CHROMIUM_PATH)');

/** Serious and critical accessibility violations on the page as it is now (axe-core). */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 160)}`).join(', ')}`);
}

describeInBrowser('the agent console in a real browser', () => {
  let desk: TestApp;
  let browser: Browser;
  let url: string;
  let inboxId: string;
  let adminAuth: { Authorization: string };
  let reference: string;
  let relay: TestRelay;
  /** What the library's mail server (the relay) received from the desk. */
  const relayed: RelayedMail[] = [];
  /** Any request the page makes to somewhere other than the desk (a remote image, a beacon). */
  const strayRequests: string[] = [];

  beforeAll(async () => {
    expect(existsSync(join(__dirname, '..', 'dist', 'console', 'index.html'))).toBe(true); // npm install builds it
    // The desk listens for inbound mail on a port of its own; replies go out through a relay on loopback.
    relay = await startRelay((mail) => void relayed.push(mail));
    desk = await createTestApp({ DESK_SMTP_PORT: '0', DESK_SMTP_HOST: '127.0.0.1' });
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
    reference = departments.find((d) => d.code === 'reference')!.id;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    await relay?.close();
  });

  async function signedIn(email = DEMO_ADMIN.email, password = DEMO_ADMIN.password): Promise<Page> {
    const page = await (await browser.newContext({ reducedMotion: 'reduce' })).newPage();
    page.on('request', (request) => {
      const target = request.url();
      if (!target.startsWith(url) && !target.startsWith('data:') && !target.startsWith('about:'))
        strayRequests.push(target);
    });
    await page.goto(url);
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    return page;
  }

  it('serves the sign-in page at / with its own content security policy, and it is accessible', async () => {
    const page = await (await browser.newContext({ reducedMotion: 'reduce' })).newPage();
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

  it('sends the console’s scripts Brotli- or gzip-compressed as the browser accepts, byte for byte the build', async () => {
    const html = (await desk.http.get('/').set('Accept', 'text/html').expect(200)).text;
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)![1];
    const plain = readFileSync(join(__dirname, '..', 'dist', 'console', script));
    const raw = (encoding: string | null) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((done, fail) => {
        httpGet(`${url}${script}`, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', fail);
      });
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(br.body.length).toBeLessThan(plain.length / 3);
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    const gz = await raw('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    const none = await raw(null);
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain)).toBe(true);
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
      '<img src="https://203.0.113.9/remote.png" alt="remote">',
      '<p>Visible text of the hostile mail</p>',
    ];
    const hostile = await desk.http
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
    expect(frames.length).toBeGreaterThan(0);
    // The mail is shown (in its sandboxed frame), only inert.
    await frames[0].getByText('Visible text of the hostile mail').waitFor();
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
    // Remote images only when the agent asks: then the image is fetched, and still no script runs.
    const remote = page.waitForRequest((r) => r.url() === 'https://203.0.113.9/remote.png');
    await page.getByRole('button', { name: 'Show remote images' }).click();
    await remote;
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.context().close();
    // Out of the queue, so that the next test's agent is offered only its own contact.
    await desk.http
      .post(`/api/v1/conversations/${hostile.body.conversation.id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 1, questionType: 'technical' })
      .expect(200);
  });

  it('folds an email’s quoted history, and a reply from the console reaches the library’s mail server, threaded', async () => {
    const stamp = Date.now();
    const address = `ask.console.${stamp}@riverside.example.org`;
    await desk.http
      .post('/api/v1/inboxes/email')
      .set(adminAuth)
      .send({
        name: 'Ask a Librarian',
        address,
        fromName: 'Riverside Library',
        defaultDepartmentId: reference,
        smtp: relay.smtp,
      })
      .expect(201);
    const subject = `Re: Interlibrary loan ${stamp}`;
    const messageId = `<ill-${stamp}@mail.example.org>`;
    // The reader's mail reaches the desk's own SMTP listener, as from the library's MX.
    const mailer = createTransport({
      host: '127.0.0.1',
      port: desk.app.get(SmtpInboundServer).port as number,
      secure: false,
    });
    try {
      await mailer.sendMail({
        envelope: { from: 'maria.gonzalez@example.org', to: address },
        raw: [
          'From: Maria Gonzalez <maria.gonzalez@example.org>',
          `To: Riverside Library <${address}>`,
          `Subject: ${subject}`,
          `Message-ID: ${messageId}`,
          `In-Reply-To: <arrived-${stamp}@riverside.example.org>`,
          'Date: Tue, 01 Dec 2026 09:00:00 +0000',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Thank you, I will collect it on Friday.',
          '',
          `On Mon, 30 Nov 2026 at 10:00, Riverside Library <${address}> wrote:`,
          '> Your interlibrary loan has arrived.',
          '> It is held for you at the front desk until 14 December.',
          '',
        ].join('\r\n'),
      });
    } finally {
      mailer.close();
    }

    const page = await signedIn();
    const row = page.getByTestId('queue').getByRole('button', { name: new RegExp(subject) });
    await row.waitFor();
    await row.click();
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('Thank you, I will collect it on Friday.').waitFor();
    // The quoted history folds; it unfolds on request and folds again.
    const quoted = timeline.getByText(/held for you at the front desk/);
    expect(await quoted.count()).toBe(0);
    await timeline.getByRole('button', { name: 'Show quoted history' }).click();
    await quoted.waitFor();
    await timeline.getByRole('button', { name: 'Fold quoted history' }).click();
    await quoted.waitFor({ state: 'detached' });

    await page.getByRole('textbox', { name: 'Reply' }).fill('It will be waiting for you at the front desk.');
    await page.getByRole('button', { name: 'Send' }).click();
    const mail = await poll('the reply at the library’s mail server', async () =>
      relayed.find((m) => m.rcptTo.includes('maria.gonzalez@example.org') && m.raw.includes(`ill-${stamp}`)),
    );
    const parsed = await PostalMime.parse(mail.raw);
    // The same subject, with the conversation's reference that threads any answer back to it.
    expect(parsed.subject).toMatch(new RegExp(`^${subject} \\[#\\d+\\]$`));
    expect(parsed.inReplyTo).toBe(messageId);
    expect(parsed.from?.address).toBe(address);
    expect(parsed.text).toContain('It will be waiting for you at the front desk.');
    // The console shows it sent, not only queued.
    await timeline
      .locator('[data-kind="outbound"]')
      .getByText('It will be waiting for you at the front desk.')
      .waitFor();
    const conversations = (
      await desk.http
        .get('/api/v1/conversations')
        .query({ q: `Interlibrary loan ${stamp}` })
        .set(adminAuth)
        .expect(200)
    ).body.items as Array<{ id: string }>;
    for (const c of conversations)
      await desk.http
        .post(`/api/v1/conversations/${c.id}/status`)
        .set(adminAuth)
        .send({ status: 'resolved', readLevel: 1, questionType: 'ready_reference' })
        .expect(200);
    await page.context().close();
  });

  it('works a conversation: take it, priority, tags, a stale take refused with 409, transfer with a note, a file on a reply', async () => {
    const page = await signedIn();
    page.setDefaultTimeout(15_000);
    const me = (await desk.http.get('/api/v1/auth/me').set(adminAuth).expect(200)).body as { id: string };
    const subject = `Working ${Date.now()}`;
    const posted = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `work-${Date.now()}`,
        handles: [{ kind: 'email', value: 'worker@example.org' }],
        displayName: 'Wanda Reader',
        subject,
        text: 'Do you have the 1911 census on microfilm?',
      })
      .expect(201);
    const id = posted.body.conversation.id as string;
    const stored = async () =>
      (await desk.http.get(`/api/v1/conversations/${id}`).set(adminAuth).expect(200)).body as {
        assigneeId: string | null;
        priority: string;
        tags: string[];
        departmentId: string;
      };
    await page
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(subject) })
      .click();
    const toolbar = page.getByRole('toolbar', { name: 'Conversation actions' });
    await toolbar.waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // A stale view: the page still believes nobody holds it while a colleague (here: the API) took it.
    const staff = (await desk.http.get('/api/v1/agents').set(adminAuth).expect(200)).body as Array<{
      id: string;
      role: string;
      departmentIds: string[];
    }>;
    const colleague = staff.find(
      (a) => a.id !== me.id && a.departmentIds.includes(posted.body.conversation.departmentId),
    )!;
    // The page's reads say nobody holds it until its take goes out; the refusal's refresh then reads the truth.
    let stale = true;
    await page.route(`**/api/v1/conversations/${id}`, async (route) => {
      const real = await route.fetch();
      const body = (await real.json()) as Record<string, unknown>;
      await route.fulfill({ response: real, json: stale ? { ...body, assigneeId: null } : body });
    });
    await page.route(`**/api/v1/conversations/${id}/assign`, async (route) => {
      stale = false;
      await route.continue();
    });
    await desk.http
      .post(`/api/v1/conversations/${id}/assign`)
      .set(adminAuth)
      .send({ assigneeId: colleague.id })
      .expect(200);
    const refused = page.waitForResponse((r) => r.url().endsWith(`/conversations/${id}/assign`));
    await toolbar.getByRole('button', { name: 'Take it' }).click();
    expect((await refused).status()).toBe(409);
    await page.getByRole('alert').filter({ hasText: 'Someone changed this conversation first' }).waitFor();
    expect((await stored()).assigneeId).toBe(colleague.id);
    await page.unroute(`**/api/v1/conversations/${id}`);
    await page.unroute(`**/api/v1/conversations/${id}/assign`);
    // Now it shows the holder; the agent takes it knowingly.
    await page.getByText(/held by/).waitFor();
    await toolbar.getByRole('button', { name: 'Take it' }).click();
    await page.getByText('held by you').waitFor();
    expect((await stored()).assigneeId).toBe(me.id);

    await toolbar.getByRole('combobox', { name: 'Priority' }).click();
    await page.getByRole('option', { name: 'Urgent' }).click();
    await page.getByTestId('timeline').getByText('Priority: Urgent').waitFor();
    expect((await stored()).priority).toBe('urgent');
    await toolbar.getByLabel('Tag').fill('genealogy');
    await page.keyboard.press('Enter');
    await page
      .getByTestId('timeline')
      .getByText(/Tags added: genealogy/)
      .waitFor();
    expect((await stored()).tags).toEqual(['genealogy']);

    // A file on a reply: uploaded, shown, sent with the reply, listed on it.
    await page.locator('input[type=file]').setInputFiles({
      name: 'census-guide.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Census microfilm: reels 1-40, 2nd floor.'),
    });
    await page.getByText('census-guide.txt').waitFor();
    await page.getByRole('textbox', { name: 'Reply' }).fill('Yes: see the attached guide.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .getByTestId('timeline')
      .locator('[data-kind="outbound"]')
      .getByRole('link', { name: /census-guide\.txt/ })
      .waitFor();

    // Transfer with a note for the colleagues there.
    const departments = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body as Array<{
      id: string;
      code: string;
      name: string;
    }>;
    const circulation = departments.find((d) => d.code === 'circulation')!;
    await toolbar.getByRole('button', { name: 'Transfer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Transfer the conversation' });
    await dialog.getByRole('combobox', { name: 'To the department' }).click();
    await dialog.getByRole('option', { name: circulation.name }).click();
    await dialog.getByRole('textbox', { name: 'Note for the colleagues there' }).fill('Census reels are yours.');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await page.getByTestId('timeline').getByText(`Moved to ${circulation.name}`).waitFor();
    await page.getByTestId('timeline').getByText('Census reels are yours.').waitFor();
    expect((await stored()).departmentId).toBe(circulation.id);
    await page.context().close();
    await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 2, questionType: 'research' })
      .expect(200);
  });

  it('shows two agents on one conversation to each other, who is typing, and a note that mentions one reaches them', async () => {
    const lena = DEMO.agents[1]; // reference, like the web-form inbox
    const subject = `Together ${Date.now()}`;
    const posted = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `together-${Date.now()}`,
        handles: [{ kind: 'email', value: 'together@example.org' }],
        subject,
        text: 'Can two of you look at my reading list?',
      })
      .expect(201);
    const admin = await signedIn();
    const agent = await signedIn(lena.email, DEMO_AGENT_PASSWORD);
    for (const page of [admin, agent]) {
      page.setDefaultTimeout(15_000);
      await page
        .getByTestId('queue')
        .getByRole('button', { name: new RegExp(subject) })
        .click();
      await page.getByTestId('timeline').getByText('Can two of you look at my reading list?').waitFor();
    }
    // Each sees the other.
    await admin
      .getByTestId('viewers')
      .filter({ hasText: `Also here: ${lena.displayName}` })
      .waitFor();
    await agent
      .getByTestId('viewers')
      .filter({ hasText: /Also here: / })
      .waitFor();
    // Lena types a reply: the admin sees it; when she stops (and the moment passes) it goes.
    await agent.getByRole('textbox', { name: 'Reply' }).fill('I will check the first half');
    await agent.getByRole('textbox', { name: 'Reply' }).press('Space');
    await admin
      .getByTestId('viewers')
      .filter({ hasText: `${lena.displayName} (typing a reply)` })
      .waitFor();
    await admin
      .getByTestId('viewers')
      .filter({ hasText: new RegExp(`^Also here: ${lena.displayName}$`) })
      .waitFor();
    expect(await seriousViolations(admin)).toEqual([]);

    // A note that mentions her reaches her browser, live, and opens the conversation from the list.
    const handle = lena.email.split('@')[0];
    await admin.keyboard.press('Escape');
    await admin.keyboard.press('n');
    await admin.getByRole('textbox', { name: 'Internal note' }).fill(`@${handle} can you take the second half?`);
    await admin.getByRole('button', { name: 'Add note' }).click();
    const mentions = agent.getByRole('button', { name: '1 mention' });
    await mentions.waitFor();
    await mentions.click();
    await agent.getByText('can you take the second half?').first().waitFor();
    expect(await seriousViolations(agent)).toEqual([]);
    // She leaves: the admin is alone again.
    await agent.context().close();
    await admin.waitForFunction('document.querySelector(\'[data-testid="viewers"]\')?.textContent === ""');
    await admin.context().close();
    await desk.http
      .post(`/api/v1/conversations/${posted.body.conversation.id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
      .expect(200);
  });

  it('rings an offer with its countdown once the agent is available, and accepting opens the conversation', async () => {
    const reference = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body.find(
      (d: { code: string }) => d.code === 'reference',
    ).id as string;
    const email = `olive.console.${Date.now()}@demo.readerdesk.org`;
    const olive = await desk.http
      .post('/api/v1/agents')
      .set(adminAuth)
      .send({
        email,
        displayName: 'Olive',
        role: 'agent',
        password: 'a-long-enough-password',
        departmentIds: [reference],
      })
      .expect(201);
    const chat = await desk.http
      .post('/api/v1/inboxes')
      .set(adminAuth)
      .send({ channel: 'chat', name: 'Console chat', defaultDepartmentId: reference })
      .expect(201);
    const page = await signedIn(email, 'a-long-enough-password');
    page.setDefaultTimeout(15_000);
    // The switch shows the presence the desk holds (a new account starts offline); a change reaches routing.
    await expect(page.getByRole('combobox', { name: 'Presence' }).inputValue()).resolves.toBe('Offline');
    await page.getByRole('combobox', { name: 'Presence' }).click();
    const presence = page.waitForResponse((r) => r.url().endsWith('/agents/me/presence'));
    await page.getByRole('option', { name: 'Available' }).click();
    expect((await presence).status()).toBe(200);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await expect(page.getByRole('combobox', { name: 'Presence' }).inputValue()).resolves.toBe('Available');

    const subject = `Chat about e-books ${Date.now()}`;
    const created = await desk.http
      .post(`/api/v1/inboxes/${chat.body.id}/messages`)
      .set(adminAuth)
      .send({
        externalId: `console-chat-${Date.now()}`,
        handles: [{ kind: 'email', value: 'ebooks.reader@example.org' }],
        displayName: 'Ebba Reader',
        subject,
        text: 'How do I borrow an e-book?',
      })
      .expect(201);
    const card = page.getByRole('alertdialog', { name: 'Incoming conversation' }).filter({ hasText: subject });
    await card.waitFor();
    await card.getByText(/\d+ s left/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.waitFor({ state: 'detached' });
    await page.getByTestId('timeline').getByText('How do I borrow an e-book?').waitFor();
    const conversation = await desk.http
      .get(`/api/v1/conversations/${created.body.conversation.id}`)
      .set(adminAuth)
      .expect(200);
    expect(conversation.body.assigneeId).toBe(olive.body.id);
    await page.context().close();
  });

  it('pages a long queue as it scrolls, drawing only the rows in view, with counts, order, search and filters', async () => {
    // More than one page (100) of open contacts with a word of their own.
    const word = `Bulk${Date.now()}`;
    const total = 130;
    for (let start = 0; start < total; start += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, total - start) }, (_, j) =>
          desk.http
            .post(`/api/v1/inboxes/${inboxId}/messages`)
            .set(adminAuth)
            .send({
              externalId: `${word}-${start + j}`,
              handles: [{ kind: 'email', value: `bulk${start + j}@example.org` }],
              subject: `${word} question ${start + j}`,
              text: `About ${word}`,
            })
            .expect(201),
        ),
      );
    }
    const bulk: string[] = [];
    for (let cursor = ''; ;) {
      const found = await desk.http
        .get(`/api/v1/conversations?q=${word}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)
        .set(adminAuth)
        .expect(200);
      const body = found.body as { items: Array<{ id: string }>; nextCursor: string | null };
      bulk.push(...body.items.map((c) => c.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(bulk).toHaveLength(total);
    const counts = (await desk.http.get('/api/v1/conversations/counts').set(adminAuth).expect(200)).body as {
      departments: number;
    };
    const page = await signedIn();
    page.setDefaultTimeout(15_000);
    // The count is the view's, from the server, not the rows read so far.
    await page
      .getByTestId('queue-count')
      .filter({ hasText: new RegExp(`^${counts.departments.toLocaleString('en')} conversations$`) })
      .waitFor();
    const rows = page.getByTestId('queue').locator('[data-id]');
    await rows.first().waitFor();
    // Virtualised: far fewer rows in the page than the queue holds.
    expect(await rows.count()).toBeLessThan(60);
    // Newest first, then scroll to the end: the oldest of these is on the second page, read as the list nears it.
    await page.getByRole('combobox', { name: 'Order' }).click();
    await page.getByRole('option', { name: 'Newest' }).click();
    await page
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(`${word} question ${total - 1}\\b`) })
      .waitFor();
    const oldest = page.getByTestId('queue').getByRole('button', { name: new RegExp(`${word} question 0\\b`) });
    await page.getByTestId('queue-scroller').hover();
    for (let i = 0; i < 40 && !(await oldest.count()); i++) {
      await page.mouse.wheel(0, 2000);
      await page.waitForTimeout(100);
    }
    await oldest.waitFor();
    expect(await rows.count()).toBeLessThan(60);
    // The order stays chosen after a reload.
    await page.reload();
    await expect(page.getByRole('combobox', { name: 'Order' }).inputValue()).resolves.toBe('Newest');

    // Search: the server's full-text search, as the agent types.
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill(`${word} question 7`);
    await page
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(`${word} question 7\\b`) })
      .waitFor();
    await page.waitForFunction('document.querySelectorAll(\'[data-testid="queue"] [data-id]\').length === 1');
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
    // A filter nothing matches says so.
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'SMS' }).click();
    await page.getByText('No conversation matches.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
    // Out of the queue again, so that the later tests' contacts are in view.
    for (let start = 0; start < bulk.length; start += 10) {
      await Promise.all(
        bulk
          .slice(start, start + 10)
          .map((id) =>
            desk.http
              .post(`/api/v1/conversations/${id}/status`)
              .set(adminAuth)
              .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
              .expect(200),
          ),
      );
    }
  });

  it('opens a conversation from the command palette (Ctrl+K) and lists the shortcuts on ?', async () => {
    const subject = `Palette ${Date.now()}`;
    const posted = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `palette-${Date.now()}`,
        handles: [{ kind: 'email', value: 'palette@example.org' }],
        subject,
        text: 'Where do I return a laptop?',
      })
      .expect(201);
    const page = await signedIn();
    page.setDefaultTimeout(15_000);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Command palette').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+K');
    const search = page.getByRole('textbox', { name: 'Go to, set presence, open a conversation…' });
    await search.waitFor();
    await search.fill(`#${posted.body.conversation.number as number}`);
    await page
      .getByRole('dialog')
      .getByRole('button', { name: new RegExp(subject) })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await page.getByTestId('timeline').getByText('Where do I return a laptop?').waitFor();
    // Presence from the palette reaches the switch in the header.
    await page.keyboard.press('Control+K');
    await search.fill('Presence: Busy');
    const changed = page.waitForResponse((r) => r.url().endsWith('/agents/me/presence'));
    await page.keyboard.press('Enter');
    expect((await changed).status()).toBe(200);
    await page.waitForFunction('document.querySelector(\'input[aria-label="Presence"]\')?.value === "Busy"');
    await page.context().close();
    await desk.http.put('/api/v1/agents/me/presence').set(adminAuth).send({ presence: 'offline' }).expect(200);
    await desk.http
      .post(`/api/v1/conversations/${posted.body.conversation.id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
      .expect(200);
  });

  it('keeps the open conversation in the address, and another department’s is not reachable by it', async () => {
    const subject = `Linked ${Date.now()}`;
    const posted = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `linked-${Date.now()}`,
        handles: [{ kind: 'email', value: 'linked@example.org' }],
        subject,
        text: 'A question worth a link',
      })
      .expect(201);
    const id = posted.body.conversation.id as string;
    const admin = await signedIn();
    await admin
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(subject) })
      .click();
    await admin.waitForURL(`${url}/#/c/${id}`);
    await admin.reload();
    await admin.getByTestId('timeline').getByText('A question worth a link').waitFor();
    await admin.context().close();
    // Circulation's agent, with the link to a reference conversation: the server's 404, said; nothing of it shown.
    const outsider = await signedIn(DEMO.agents[2].email, DEMO_AGENT_PASSWORD);
    await outsider.goto(`${url}/#/c/${id}`);
    await outsider
      .getByRole('alert')
      .filter({ hasText: /not found|No such/i })
      .waitFor();
    expect(await outsider.getByTestId('timeline').textContent()).not.toContain('A question worth a link');
    expect(await outsider.getByText(subject).count()).toBe(0);
    await outsider.context().close();
    await desk.http
      .post(`/api/v1/conversations/${id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
      .expect(200);
  });

  it('goes through reply and resolve with the keyboard alone', async () => {
    const page = await signedIn();
    page.setDefaultTimeout(15_000);
    const subject = `Keyboard ${Date.now()}`;
    await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `keyboard-${Date.now()}`,
        handles: [{ kind: 'email', value: 'keys@example.org' }],
        subject,
        text: 'Can I print from my laptop?',
      })
      .expect(201);
    await page
      .getByTestId('queue')
      .getByRole('button', { name: new RegExp(subject) })
      .waitFor();
    // j moves down the queue (opening each row it reaches) until it reaches this contact.
    const current = page.getByTestId('queue').locator('[aria-current="true"]');
    for (let i = 0; i < 10 && !((await current.count()) && (await current.textContent())?.includes(subject)); i++)
      await page.keyboard.press('j');
    expect(await current.textContent()).toContain(subject);
    await page.getByTestId('timeline').getByText('Can I print from my laptop?').waitFor();
    await page.keyboard.press('r');
    await expect(
      page.getByRole('textbox', { name: 'Reply' }).evaluate((el) => el === el.ownerDocument.activeElement),
    ).resolves.toBe(true);
    await page.keyboard.type('Yes: use the web print portal.');
    await page.keyboard.press('Control+Enter');
    await page
      .getByTestId('timeline')
      .locator('[data-kind="outbound"]')
      .getByText('Yes: use the web print portal.')
      .waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    const dialog = page.getByRole('dialog', { name: 'Resolve the conversation' });
    await dialog.waitFor();
    const questionType = dialog.getByRole('combobox', { name: 'Question type' });
    await questionType.focus();
    // Each key waits for what the one before did: the list open, then an option picked.
    await page.keyboard.press('ArrowDown');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    await page.waitForFunction(
      (el) => (el as unknown as { value: string }).value !== '',
      await questionType.elementHandle(),
    );
    expect(await questionType.inputValue()).not.toBe('');
    const resolved = page.waitForResponse((r) => r.url().endsWith('/status'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const answer = await resolved;
    expect(answer.status()).toBe(200);
    expect(((await answer.json()) as { status: string; questionType: string }).status).toBe('resolved');
    await page.context().close();
  });

  it('shows a supervisor the board: tiles that follow the queue live, agents, accessible in English and Persian', async () => {
    // A department of its own, with nobody available in it, so that what arrives waits (an available
    // agent would be handed a web-form contact at once).
    const stamp = Date.now();
    const department = (
      await desk.http
        .post('/api/v1/departments')
        .set(adminAuth)
        .send({ code: `board-${stamp}`, name: `Board desk ${stamp}` })
        .expect(201)
    ).body as { id: string; name: string };
    const email = `sofia.board.${stamp}@demo.readerdesk.org`;
    await desk.http
      .post('/api/v1/agents')
      .set(adminAuth)
      .send({
        email,
        displayName: 'Sofia Supervisor',
        role: 'supervisor',
        password: 'a-long-enough-password',
        departmentIds: [department.id],
      })
      .expect(201);
    const boardInbox = (
      await desk.http
        .post('/api/v1/inboxes')
        .set(adminAuth)
        .send({ channel: 'api', name: 'Board form', defaultDepartmentId: department.id })
        .expect(201)
    ).body.id as string;
    const contact = (n: number) =>
      desk.http
        .post(`/api/v1/inboxes/${boardInbox}/messages`)
        .set(adminAuth)
        .send({
          externalId: `board-${stamp}-${n}`,
          handles: [{ kind: 'email', value: `board.reader${n}.${stamp}@example.org` }],
          subject: `Study room ${n}`,
          text: 'Can I book a study room?',
        })
        .expect(201);
    await contact(1);

    const page = await signedIn(email, 'a-long-enough-password');
    page.setDefaultTimeout(15_000);
    const screens = page.getByRole('navigation', { name: 'Screens' });
    expect(await screens.getByRole('link', { name: 'Queue' }).getAttribute('aria-current')).toBe('page');
    await screens.getByRole('link', { name: 'Board' }).click();
    await page.getByRole('heading', { name: 'Supervisor board' }).waitFor();
    expect(page.url()).toMatch(/#\/board$/);
    expect(await screens.getByRole('link', { name: 'Board' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('queue').count()).toBe(0);
    const tile = page.getByRole('article', { name: `${department.name} · Web form` });
    await tile.getByTestId('waiting').filter({ hasText: /^1$/ }).waitFor();
    await tile.getByText(/\d+ sec/).waitFor(); // the longest wait, counting on
    await page
      .getByRole('table', { name: /^Staff of these departments/ })
      .getByText('Sofia Supervisor')
      .waitFor();
    await page
      .getByRole('table', { name: /^Active staff of each department/ })
      .getByText(department.name)
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // No reload: queue-stats.changed on the socket makes the board read again.
    await contact(2);
    await tile.getByTestId('waiting').filter({ hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    // One department: the API's filter, followed live as well.
    await page.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: department.name }).click();
    await tile.getByTestId('waiting').filter({ hasText: /^2$/ }).waitFor();
    await contact(3);
    await tile.getByTestId('waiting').filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });

    // Today by hour: the charts, and the same figures as a table; this hour received the three.
    const { timeZone } = (await desk.http.get('/api/v1/queue-stats').set(adminAuth).expect(200)).body as {
      timeZone: string;
    };
    const hours = page.getByTestId('board-hours');
    expect(await hours.locator('svg.recharts-surface').count()).toBe(2);
    await hours.getByText('The same figures as a table').click();
    const thisHour = hours.locator(`[data-hour="${DateTime.now().setZone(timeZone).hour}"]`);
    expect(await thisHour.locator('td').first().textContent()).toBe('3');

    // A breach: a one-minute first-response target, the desk's clock two minutes on, the SLA sweep.
    await page.getByTestId('board-breaches-none').waitFor();
    const policy = (
      await desk.http
        .post('/api/v1/sla-policies')
        .set(adminAuth)
        .send({ name: `Board ${stamp}`, departmentId: department.id, firstResponseMinutes: 1, businessHours: false })
        .expect(201)
    ).body.id as string;
    const clock = desk.app.get(Clock);
    const realNow = clock.now;
    try {
      const late = (await contact(4)).body.conversation.id as string;
      // The SLA clock starts in an event handler, after the contact's answer.
      for (let tries = 0; ; tries++) {
        const row = await desk.http.get(`/api/v1/conversations/${late}`).set(adminAuth).expect(200);
        if (row.body.sla?.firstResponseDueAt) break;
        if (tries > 100) throw new Error('no SLA due time on the new contact');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      clock.now = () => new Date(Date.now() + 2 * 60_000);
      await desk.app.get(SlaService).sweep();
      const breach = page.getByTestId('board-breaches').locator(`[data-conversation="${late}"]`);
      await breach.getByText('First response').waitFor({ timeout: 10_000 });
      expect(await tile.getByText('In breach').locator('..').textContent()).toMatch(/1$/);
      // Jump to it: the breach is a link to the conversation.
      await breach.getByRole('link', { name: /Study room 4/ }).click();
      expect(page.url()).toMatch(new RegExp(`#/c/${late}$`));
      await page.getByTestId('timeline').getByText('Can I book a study room?').waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Supervisor board' }).waitFor();
    } finally {
      clock.now = realNow;
      await desk.http.delete(`/api/v1/sla-policies/${policy}`).set(adminAuth).expect(204);
    }

    // Persian: the board right to left, its figures in Persian digits.
    await page.evaluate("localStorage.setItem('rd.language', 'fa')");
    await page.reload();
    await page.getByRole('heading', { name: 'تابلوی سرپرست' }).waitFor();
    expect(await page.evaluate('[document.documentElement.dir, document.documentElement.lang]')).toEqual(['rtl', 'fa']);
    await page
      .getByRole('article', { name: `${department.name} · فرم وب` })
      .getByTestId('waiting')
      .filter({ hasText: /^۴$/ })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('merges two readers from the reader panel and unlinks a handle again, for supervisors only', async () => {
    const stamp = Date.now();
    const inReference = (a: { departments: readonly string[] }) => a.departments.includes('reference');
    const supervisor = DEMO.agents.find((a) => a.role === 'supervisor' && inReference(a))!;
    const agent = DEMO.agents.find((a) => a.role === 'agent' && inReference(a))!;
    const email = `mira.merge.${stamp}@example.org`;
    const contact = (handle: { kind: string; value: string }, subject: string, displayName?: string) =>
      desk.http
        .post(`/api/v1/inboxes/${inboxId}/messages`)
        .set(adminAuth)
        .send({
          externalId: `merge-${handle.kind}-${stamp}`,
          handles: [handle],
          ...(displayName ? { displayName } : {}),
          subject,
          text: 'Can I renew my loans?',
        })
        .expect(201);
    // Two contacts, two handles nothing ties together: two readers.
    const byEmail = (await contact({ kind: 'email', value: email }, `Merge by email ${stamp}`, 'Mira Merge')).body
      .conversation as { id: string; readerId: string };
    const typed = `+1 212 555 ${1000 + (stamp % 9000)}`;
    const byPhone = (await contact({ kind: 'phone', value: typed }, `Merge by phone ${stamp}`)).body.conversation as {
      id: string;
      readerId: string;
    };
    expect(byPhone.readerId).not.toBe(byEmail.readerId);
    const phone = (
      (await desk.http.get(`/api/v1/readers/${byPhone.readerId}`).set(adminAuth).expect(200)).body as {
        handles: Array<{ value: string }>;
      }
    ).handles[0].value;

    const page = await signedIn(supervisor.email, DEMO_AGENT_PASSWORD);
    page.setDefaultTimeout(15_000);
    await page.goto(`${url}/#/c/${byEmail.id}`);
    const panel = page.getByRole('complementary', { name: 'Reader' });
    await panel.getByText('Mira Merge').waitFor();
    await panel.getByText(`Email: ${email}`).waitFor();
    // One handle: nothing to unlink yet.
    expect(await panel.getByRole('button', { name: /^Unlink/ }).count()).toBe(0);

    // The other reader, found by their phone number, beside this one; then the merge.
    await panel.getByRole('button', { name: 'Merge with another reader…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge with another reader' });
    await dialog.getByRole('combobox', { name: 'Kind of handle' }).click();
    await dialog.getByRole('option', { name: 'Phone' }).click();
    await dialog.getByRole('textbox', { name: 'Their handle' }).fill(typed);
    await dialog.getByRole('button', { name: 'Find' }).click();
    const kept = dialog.getByRole('region', { name: 'This reader (kept)' });
    const absorbed = dialog.getByRole('region', { name: 'Merged into it' });
    await absorbed.getByText(`Phone: ${phone}`).waitFor();
    await absorbed.getByText('1 conversation').waitFor();
    await kept.getByText('Mira Merge').waitFor();
    await kept.getByText(`Email: ${email}`).waitFor();
    await kept.getByText('1 conversation').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const merged = page.waitForResponse((r) => r.url().endsWith(`/readers/${byEmail.readerId}/merge`));
    await dialog.getByRole('button', { name: 'Merge into this reader' }).click();
    expect((await merged).status()).toBe(200);
    await dialog.waitFor({ state: 'detached' });
    // The panel shows the merged reader: both handles, and the other conversation beside this one.
    await panel.getByText(`Phone: ${phone}`).waitFor();
    await panel.getByText(`Email: ${email}`).waitFor();
    await panel.getByRole('button', { name: new RegExp(`Merge by phone ${stamp}`) }).waitFor();
    const readerOf = async (id: string) =>
      ((await desk.http.get(`/api/v1/conversations/${id}`).set(adminAuth).expect(200)).body as { readerId: string })
        .readerId;
    expect(await readerOf(byPhone.id)).toBe(byEmail.readerId);

    // An agent sees the same reader, and neither action.
    const colleague = await signedIn(agent.email, DEMO_AGENT_PASSWORD);
    colleague.setDefaultTimeout(15_000);
    await colleague.goto(`${url}/#/c/${byEmail.id}`);
    const theirs = colleague.getByRole('complementary', { name: 'Reader' });
    await theirs.getByText(`Phone: ${phone}`).waitFor();
    await theirs.getByText(`Email: ${email}`).waitFor();
    expect(await theirs.getByRole('button', { name: /^Unlink/ }).count()).toBe(0);
    expect(await theirs.getByRole('button', { name: 'Merge with another reader…' }).count()).toBe(0);
    await colleague.context().close();

    // Unlinked again, confirmed: the phone becomes a reader of its own; the conversations stay.
    await panel.getByRole('button', { name: `Unlink ${phone} from this reader` }).click();
    const confirm = page.getByRole('dialog', { name: `Unlink ${phone}?` });
    await confirm.getByText('becomes a reader of its own', { exact: false }).waitFor();
    await confirm.getByText('No conversation goes with it', { exact: false }).waitFor();
    const unlinked = page.waitForResponse((r) => r.url().endsWith('/unlink'));
    await confirm.getByRole('button', { name: 'Unlink', exact: true }).click();
    expect((await unlinked).status()).toBe(200);
    await confirm.waitFor({ state: 'detached' });
    await panel.getByText(`Phone: ${phone}`).waitFor({ state: 'detached' });
    await panel.getByText(`Email: ${email}`).waitFor();
    expect(await panel.getByText(/^(Email|Phone): /).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /^Unlink/ }).count()).toBe(0);
    expect(await readerOf(byPhone.id)).toBe(byEmail.readerId);
    await page.context().close();
    for (const id of [byEmail.id, byPhone.id])
      await desk.http
        .post(`/api/v1/conversations/${id}/status`)
        .set(adminAuth)
        .send({ status: 'resolved', readLevel: 1, questionType: 'circulation_account' })
        .expect(200);
  });

  it('keeps an agent who opens #/board on the queue, with no board to go to', async () => {
    const email = `ari.board.${Date.now()}@demo.readerdesk.org`;
    await desk.http
      .post('/api/v1/agents')
      .set(adminAuth)
      .send({ email, displayName: 'Ari', role: 'agent', password: 'a-long-enough-password', departmentIds: [] })
      .expect(201);
    const page = await signedIn(email, 'a-long-enough-password');
    await page.goto(`${url}/#/board`);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Supervisor board' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Screens' }).count()).toBe(0);
    await page.context().close();
  });

  it('lets an administrator manage departments, agents, inboxes, hours, routing rules and SLA policies', async () => {
    const stamp = Date.now();
    const email = `ada.admin.${stamp}@demo.readerdesk.org`;
    const [, ada, late, page] = await Promise.all([
      // A mailbox without IMAP, so that its state is certain ("not set up"), beside beforeAll's web form.
      desk.http
        .post('/api/v1/inboxes/email')
        .set(adminAuth)
        .send({ name: `Ask us ${stamp}`, address: `ask.${stamp}@demo.readerdesk.org` })
        .expect(201),
      desk.http
        .post('/api/v1/agents')
        .set(adminAuth)
        .send({
          email,
          displayName: `Ada ${stamp}`,
          role: 'agent',
          password: 'a-long-enough-password',
          departmentIds: [],
        })
        .expect(201)
        .then((r) => r.body as { id: string }),
      desk.http
        .post('/api/v1/routing-rules')
        .set(adminAuth)
        .send({
          name: `Late rule ${stamp}`,
          conditions: [{ field: 'keywords', op: 'anyOf', values: [`late${stamp}`] }],
          actions: { tags: ['late'] },
        })
        .expect(201)
        .then((r) => r.body as { id: string }),
      signedIn(),
    ]);
    // Meanwhile, in a browser of its own: an agent who opens #/admin is shown the queue.
    const agentSees = (async () => {
      const agentPage = await signedIn(email, 'a-long-enough-password');
      await agentPage.goto(`${url}/#/admin`);
      await agentPage.getByRole('heading', { name: 'Queue' }).waitFor({ timeout: 15_000 });
      const admin = await agentPage.getByTestId('admin').count();
      await agentPage.context().close();
      return admin;
    })();
    agentSees.catch(() => undefined); // awaited at the end; not an unhandled rejection before then
    page.setDefaultTimeout(15_000);
    const screens = page.getByRole('navigation', { name: 'Screens' });
    await screens.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 2 }).waitFor();
    expect(page.url()).toMatch(/#\/admin$/);
    expect(await screens.getByRole('link', { name: 'Administration' }).getAttribute('aria-current')).toBe('page');

    // Departments: one added through the form is listed and stored, then renamed.
    const form = page.getByRole('form', { name: 'Add a department' });
    await form.getByRole('textbox', { name: 'Code' }).fill(`study-${stamp}`);
    await form.getByRole('textbox', { name: 'Name' }).fill(`Study rooms ${stamp}`);
    await form.getByRole('button', { name: 'Add department' }).click();
    const departments = page.getByTestId('admin-departments');
    await departments.getByRole('rowheader', { name: `Study rooms ${stamp}` }).waitFor();
    const stored = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body as Array<{
      id: string;
      code: string;
      name: string;
    }>;
    const study = stored.find((d) => d.code === `study-${stamp}`);
    expect(study).toMatchObject({ name: `Study rooms ${stamp}` });
    await departments.getByRole('button', { name: `Rename Study rooms ${stamp}` }).click();
    await departments.getByRole('textbox', { name: `New name for Study rooms ${stamp}` }).fill(`Quiet study ${stamp}`);
    await departments.getByRole('button', { name: 'Save' }).click();
    await departments.getByRole('rowheader', { name: `Quiet study ${stamp}` }).waitFor();
    // A code the API refuses: its own message, in an alert.
    await form.getByRole('textbox', { name: 'Code' }).fill('Not A Code');
    await form.getByRole('textbox', { name: 'Name' }).fill('Refused');
    await form.getByRole('button', { name: 'Add department' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /code must be lower-case/ })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Agents and roles: an agent put in the new department through the dialog (checked with it open).
    await page.getByRole('tab', { name: 'Agents and roles' }).click();
    const agents = page.getByTestId('admin-agents');
    await agents
      .getByRole('row')
      .filter({ hasText: DEMO_ADMIN.email })
      .getByRole('cell', { name: 'Administrator', exact: true })
      .waitFor();
    await agents.getByRole('button', { name: `Edit Ada ${stamp}` }).click();
    const agentDialog = page.getByRole('dialog', { name: `Change Ada ${stamp}` });
    await agentDialog.getByLabel('Departments').click();
    await page.getByRole('option', { name: `Quiet study ${stamp}` }).click();
    await agentDialog.getByRole('heading', { name: `Change Ada ${stamp}` }).click(); // closes the list
    expect(await seriousViolations(page)).toEqual([]);
    await agentDialog.getByRole('button', { name: 'Save' }).click();
    await agentDialog.waitFor({ state: 'detached' });
    await agents.getByRole('row').filter({ hasText: email }).getByText(`Quiet study ${stamp}`).waitFor();
    const accounts = (await desk.http.get('/api/v1/agents').set(adminAuth).expect(200)).body as Array<{ id: string }>;
    expect(accounts.find((a) => a.id === ada.id)).toMatchObject({
      role: 'agent',
      active: true,
      departmentIds: [study!.id],
    });

    // Inboxes: every channel, and the mailbox's connection state.
    await page.getByRole('tab', { name: 'Inboxes' }).click();
    const inboxes = page.getByTestId('admin-inboxes');
    await inboxes
      .getByRole('row')
      .filter({ hasText: `Ask us ${stamp}` })
      .getByText('IMAP not set up')
      .waitFor();
    await inboxes.getByRole('row').filter({ hasText: 'Web form' }).first().getByText('Nothing to connect').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Opening hours of the demo's first branch.
    await page.getByRole('tab', { name: 'Opening hours' }).click();
    await page.getByTestId('admin-hours').getByRole('rowheader', { name: 'Monday' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Routing rules: one made in the dialog goes last, then up before the one the API made.
    await page.getByRole('tab', { name: 'Routing rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const ruleDialog = page.getByRole('dialog', { name: 'New routing rule' });
    await ruleDialog.getByRole('textbox', { name: 'Name' }).fill(`Group study ${stamp}`);
    await ruleDialog.getByRole('textbox', { name: 'Keywords' }).fill(`studyroom${stamp}`);
    await ruleDialog.getByRole('textbox', { name: 'Add tags' }).fill('study');
    await ruleDialog.getByRole('button', { name: 'Save' }).click();
    await ruleDialog.waitFor({ state: 'detached' });
    const rules = page.getByTestId('admin-routing');
    await rules.getByRole('rowheader', { name: `Group study ${stamp}` }).waitFor();
    const reordered = page.waitForResponse((r) => r.url().endsWith('/routing-rules/order'));
    await rules.getByRole('button', { name: `Move Group study ${stamp} up` }).click();
    expect((await reordered).status()).toBe(200);
    const order = (await desk.http.get('/api/v1/routing-rules').set(adminAuth).expect(200)).body as Array<{
      id: string;
      name: string;
    }>;
    expect(order.findIndex((r) => r.name === `Group study ${stamp}`)).toBe(
      order.findIndex((r) => r.id === late.id) - 1,
    );
    expect(await seriousViolations(page)).toEqual([]);

    // SLA policies: one made in the dialog, for the new department.
    await page.getByRole('tab', { name: 'SLA policies' }).click();
    await page.getByRole('button', { name: 'New policy' }).click();
    const slaDialog = page.getByRole('dialog', { name: 'New SLA policy' });
    await slaDialog.getByRole('textbox', { name: 'Name' }).fill(`Study SLA ${stamp}`);
    await slaDialog.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: `Quiet study ${stamp}` }).click();
    await slaDialog.getByRole('textbox', { name: 'First response (minutes)' }).fill('90');
    await slaDialog.getByRole('button', { name: 'Save' }).click();
    await slaDialog.waitFor({ state: 'detached' });
    const policy = page
      .getByTestId('admin-sla')
      .getByRole('row')
      .filter({ hasText: `Study SLA ${stamp}` });
    await policy.getByText(`Quiet study ${stamp}`).waitFor();
    await policy.getByText('90 min').waitFor();
    const policies = (await desk.http.get('/api/v1/sla-policies').set(adminAuth).expect(200)).body as Array<{
      name: string;
    }>;
    expect(policies.find((p) => p.name === `Study SLA ${stamp}`)).toMatchObject({
      departmentId: study!.id,
      firstResponseMinutes: 90,
      businessHours: true,
      warnAt: 0.8,
    });
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
    expect(await agentSees).toBe(0);
  });

  it('lets a supervisor manage their departments’ canned replies beside the library-wide ones, and the composer fills them in', async () => {
    const stamp = Date.now();
    const sam = DEMO.agents[0]; // supervisor of Reference and Inter-library loan, like the web-form inbox's department
    const departments = (await desk.http.get('/api/v1/departments').set(adminAuth).expect(200)).body as Array<{
      id: string;
      code: string;
    }>;
    const reference = departments.find((d) => d.code === 'reference')!.id;
    type Stored = { id: string; title: string; shortcut: string | null; text: string; departmentId: string | null };
    const stored = async (title: string) =>
      ((await desk.http.get('/api/v1/canned-replies').set(adminAuth).expect(200)).body as Stored[]).find(
        (r) => r.title === title,
      );

    // An administrator makes a library-wide reply; a placeholder goes in from the list beside the text.
    const admin = await signedIn();
    admin.setDefaultTimeout(15_000);
    await admin.goto(`${url}/#/admin/canned`);
    await admin.getByRole('heading', { name: 'Canned replies' }).waitFor();
    await admin.getByRole('button', { name: 'New reply' }).click();
    const adminDialog = admin.getByRole('dialog', { name: 'New canned reply' });
    await adminDialog.getByRole('textbox', { name: 'Title' }).fill(`Opening hours ${stamp}`);
    await adminDialog.getByRole('textbox', { name: 'Shortcut' }).fill(`hours-${stamp}`);
    expect(await adminDialog.getByRole('combobox', { name: 'Department' }).inputValue()).toBe('Whole library');
    const text = adminDialog.getByRole('textbox', { name: 'Text', exact: true });
    await text.fill('Dear {{reader.first_name}}, we open at 9. {{agent.first_name}}, ');
    await adminDialog.getByRole('button', { name: 'Insert {{library.name}}' }).click();
    expect(await text.inputValue()).toBe(
      'Dear {{reader.first_name}}, we open at 9. {{agent.first_name}}, {{library.name}}',
    );
    expect(await seriousViolations(admin)).toEqual([]);
    await adminDialog.getByRole('button', { name: 'Save' }).click();
    await adminDialog.waitFor({ state: 'detached' });
    const libraryRow = admin
      .getByTestId('admin-canned')
      .getByRole('row')
      .filter({ hasText: `Opening hours ${stamp}` });
    await libraryRow.getByRole('cell', { name: 'Whole library' }).waitFor();
    await libraryRow.getByText(`hours-${stamp}`).waitFor();
    expect(await stored(`Opening hours ${stamp}`)).toMatchObject({ departmentId: null, shortcut: `hours-${stamp}` });
    await admin.context().close();

    // The supervisor: an administration screen with the canned replies alone, even when asked for another tab.
    const page = await signedIn(sam.email, DEMO_AGENT_PASSWORD);
    page.setDefaultTimeout(15_000);
    const screens = page.getByRole('navigation', { name: 'Screens' });
    await screens.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 2 }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Administration sections' }).getByRole('tab');
    await tabs.first().waitFor();
    expect(await tabs.allTextContents()).toEqual(['Canned replies']);
    const replies = page.getByTestId('admin-canned');
    const theirs = replies.getByRole('row').filter({ hasText: `Opening hours ${stamp}` });
    await theirs.getByText('Managed by administrators').waitFor();
    expect(await theirs.getByRole('button').count()).toBe(0);
    await page.goto(`${url}/#/admin/agents`);
    await replies.waitFor();
    expect(await page.getByRole('tab', { name: 'Canned replies' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('admin-agents').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // A reply for Reference: the department list holds theirs, not the whole library.
    await page.getByRole('button', { name: 'New reply' }).click();
    const dialog = page.getByRole('dialog', { name: 'New canned reply' });
    await dialog.getByRole('textbox', { name: 'Title' }).fill(`Renewals ${stamp}`);
    await dialog.getByRole('textbox', { name: 'Shortcut' }).fill(`renew-${stamp}`);
    await dialog.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: 'Inter-library loan' }).waitFor();
    expect(await page.getByRole('option', { name: 'Whole library' }).count()).toBe(0);
    expect((await page.getByRole('option').allTextContents()).sort()).toEqual(['Inter-library loan', 'Reference']);
    await page.getByRole('option', { name: 'Reference' }).click();
    await dialog
      .getByRole('textbox', { name: 'Text', exact: true })
      .fill('Hello {{reader.name}}, this is {{agent.name}} about {{conversation.reference}}.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const mine = replies.getByRole('row').filter({ hasText: `Renewals ${stamp}` });
    await mine.getByRole('cell', { name: 'Reference', exact: true }).waitFor();
    expect(await stored(`Renewals ${stamp}`)).toMatchObject({ departmentId: reference, shortcut: `renew-${stamp}` });
    // Its title changed in the edit dialog; the department stays.
    await mine.getByRole('button', { name: `Edit Renewals ${stamp}` }).click();
    const editing = page.getByRole('dialog', { name: `Change the reply Renewals ${stamp}` });
    expect(await editing.getByRole('combobox', { name: 'Department' }).inputValue()).toBe('Reference');
    await editing.getByRole('textbox', { name: 'Title' }).fill(`Renewing loans ${stamp}`);
    await editing.getByRole('button', { name: 'Save' }).click();
    await editing.waitFor({ state: 'detached' });
    const renamed = replies.getByRole('row').filter({ hasText: `Renewing loans ${stamp}` });
    await renamed.waitFor();
    expect(await stored(`Renewing loans ${stamp}`)).toMatchObject({ departmentId: reference });
    // A second reply with the same shortcut in the department: the server's own words.
    await page.getByRole('button', { name: 'New reply' }).click();
    await dialog.getByRole('textbox', { name: 'Title' }).fill(`Duplicate ${stamp}`);
    await dialog.getByRole('textbox', { name: 'Shortcut' }).fill(`renew-${stamp}`);
    await dialog.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: 'Reference' }).click();
    await dialog.getByRole('textbox', { name: 'Text', exact: true }).fill('Twice');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: `has the shortcut "renew-${stamp}"` })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).first().click();
    await dialog.waitFor({ state: 'detached' });
    expect(await stored(`Duplicate ${stamp}`)).toBeUndefined();
    expect(await seriousViolations(page)).toEqual([]);

    // In a Reference conversation, the composer's picker has both, and inserts them filled in.
    const posted = await desk.http
      .post(`/api/v1/inboxes/${inboxId}/messages`)
      .set(adminAuth)
      .send({
        externalId: `canned-${stamp}`,
        handles: [{ kind: 'email', value: `canned.${stamp}@example.org` }],
        displayName: 'Grace Hopper',
        subject: `Renewing online ${stamp}`,
        text: 'Can I renew my loans online?',
      })
      .expect(201);
    const conversation = posted.body.conversation as { id: string; number: number };
    await page.goto(`${url}/#/c/${conversation.id}`);
    await page.getByTestId('timeline').getByText('Can I renew my loans online?').waitFor();
    const composer = page.getByRole('textbox', { name: 'Reply' });
    /** The composer's text once the rendered reply is in (it comes from the desk). */
    const composed = async (want: string) => {
      for (let tries = 0; tries < 100 && (await composer.inputValue()) !== want; tries++)
        await page.waitForTimeout(100);
      expect(await composer.inputValue()).toBe(want);
    };
    await page.getByRole('combobox', { name: 'Canned reply' }).click();
    await page.getByRole('option', { name: `Renewing loans ${stamp} (renew-${stamp})` }).click();
    const first = `Hello Grace Hopper, this is ${sam.displayName} about #${conversation.number}.`;
    await composed(first);
    await page.getByRole('combobox', { name: 'Canned reply' }).click();
    await page.getByRole('option', { name: `Opening hours ${stamp} (hours-${stamp})` }).click();
    await composed(`${first}\n\nDear Grace, we open at 9. Sam, ${DEMO.library.name}`);

    // Deleted after a confirmation, it is gone from the list and the desk.
    await page.goto(`${url}/#/admin/canned`);
    await renamed.getByRole('button', { name: `Delete Renewing loans ${stamp}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete the reply Renewing loans ${stamp}?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await renamed.waitFor({ state: 'detached' });
    expect(await stored(`Renewing loans ${stamp}`)).toBeUndefined();
    await page.context().close();

    await desk.http
      .delete(`/api/v1/canned-replies/${(await stored(`Opening hours ${stamp}`))!.id}`)
      .set(adminAuth)
      .expect(204);
    await desk.http
      .post(`/api/v1/conversations/${conversation.id}/status`)
      .set(adminAuth)
      .send({ status: 'resolved', readLevel: 1, questionType: 'directional' })
      .expect(200);
  });

  it('lays the whole shell out right to left in Persian', async () => {
    const page = await (await browser.newContext({ reducedMotion: 'reduce' })).newPage();
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
