import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { createTestDatabase, describeWithDatabase, testDialect, type TestDatabase } from '@readerdesk/testing';
import { type DeskProcess, freePort, startDesk, stop, waitForHttp } from './support/process';
import { createTestApp, type TestApp } from './support/test-app';

const postgres = testDialect() === 'postgres';
const CAPACITY = 2;
const AGENTS = 6;
const CONTACTS = 40;
const RUN_MS = 8_000;

/**
 * Offers under concurrency (#14 item 3, "never"): contacts arrive and agents accept, reject, ignore
 * and resolve at once, through several processes on PostgreSQL (two api processes and a worker, one
 * database, one Redis) and through one embedded process on SQLite. Sampled all along, straight from
 * the database: no agent holds more chat conversations plus pending offers than their capacity, no
 * conversation has two pending offers; an accepted offer's agent is its conversation's assignee.
 */
describeWithDatabase('offers under concurrency', () => {
  let desk: TestApp | undefined;
  let db: TestDatabase | undefined;
  let pg: Client | undefined;
  const processes: DeskProcess[] = [];
  let bases: string[] = [];

  const sql = async (text: string): Promise<Array<Record<string, unknown>>> =>
    pg
      ? (await pg.query<Record<string, unknown>>(text)).rows
      : desk!.database.manager.query<Array<Record<string, unknown>>>(text);

  async function call(base: string, method: string, path: string, auth?: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  beforeAll(async () => {
    if (postgres) {
      if (!process.env.REDIS_URL) throw new Error('the PostgreSQL project runs with REDIS_URL');
      db = await createTestDatabase();
      const env = {
        DATABASE_URL: db.env.DATABASE_URL,
        REDIS_URL: process.env.REDIS_URL,
        QUEUE_PREFIX: `rdoffers-${Date.now()}`,
        DESK_SECRET_KEY: 'a-production-like-secret-key-of-sufficient-length',
        DESK_SEED_DEMO: 'true',
      };
      const ports = [await freePort(), await freePort()];
      // The first api migrates and seeds; the others start once it has.
      processes.push(startDesk('api', { ...env, PORT: String(ports[0]) }));
      await waitForHttp(`http://127.0.0.1:${ports[0]}/ready`);
      processes.push(startDesk('api', { ...env, PORT: String(ports[1]) }));
      processes.push(startDesk('worker', env));
      await waitForHttp(`http://127.0.0.1:${ports[1]}/ready`);
      bases = ports.map((p) => `http://127.0.0.1:${p}`);
      pg = new Client({ connectionString: db.env.DATABASE_URL });
      await pg.connect();
    } else {
      desk = await createTestApp();
      const { port } = desk.app.getHttpServer().address() as { port: number };
      bases = [`http://127.0.0.1:${port}`];
    }
  }, 120_000);

  afterAll(async () => {
    await pg?.end();
    await Promise.all(processes.map((p) => stop(p)));
    await desk?.close();
    await db?.drop();
  });

  it('never puts an agent past capacity nor offers one conversation twice', async () => {
    const base = (i: number) => bases[i % bases.length];
    const login = async (email: string, password: string) => {
      const res = await call(bases[0], 'POST', '/api/v1/auth/login', undefined, { email, password });
      expect(res.status).toBe(200);
      return `Bearer ${res.body.accessToken as string}`;
    };
    const admin = await login(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const departments = (await fetch(`${bases[0]}/api/v1/departments`, { headers: { authorization: admin } }).then(
      (r) => r.json(),
    )) as Array<{ id: string; code: string }>;
    const reference = departments.find((d) => d.code === 'reference')!.id;
    expect(
      (
        await call(bases[0], 'PUT', `/api/v1/departments/${reference}/offer-settings`, admin, {
          timeouts: { chat: 1 },
          agentOrder: 'round_robin',
        })
      ).status,
    ).toBe(200);
    const inbox = await call(bases[0], 'POST', '/api/v1/inboxes', admin, {
      channel: 'chat',
      name: 'Busy chat',
      defaultDepartmentId: reference,
    });
    const agents: Array<{ id: string; auth: string }> = [];
    for (let i = 0; i < AGENTS; i++) {
      const email = `busy${i}@demo.readerdesk.org`;
      const created = await call(bases[0], 'POST', '/api/v1/agents', admin, {
        email,
        displayName: `Busy ${i}`,
        role: 'agent',
        password: 'a-long-enough-password',
        departmentIds: [reference],
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(
        (
          await call(bases[0], 'PATCH', `/api/v1/agents/${id}`, admin, {
            capacity: { voice: 1, video: 1, chat: CAPACITY, sms: 5, email: 10 },
          })
        ).status,
      ).toBe(200);
      agents.push({ id, auth: await login(email, 'a-long-enough-password') });
    }
    const ids = agents.map((a) => `'${a.id}'`).join(', ');

    const violations: string[] = [];
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const loads = await sql(
          `SELECT a.id AS agent,
             (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status IN ('new', 'open', 'pending') AND c.channel = 'chat')
           + (SELECT COUNT(*) FROM offers o WHERE o.agent_id = a.id AND o.status = 'pending' AND o.mode = 'offer') AS load
           FROM agents a WHERE a.id IN (${ids})`,
        );
        for (const row of loads)
          if (Number(row.load) > CAPACITY) violations.push(`agent ${String(row.agent)} at ${String(row.load)}`);
        const doubles = await sql(
          `SELECT conversation_id FROM offers WHERE status = 'pending' GROUP BY conversation_id HAVING COUNT(*) > 1`,
        );
        for (const row of doubles) violations.push(`conversation ${String(row.conversation_id)} offered twice`);
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    await Promise.all(
      agents.map((a, i) => call(base(i), 'PUT', '/api/v1/agents/me/presence', a.auth, { presence: 'available' })),
    );
    const posted = Promise.all(
      Array.from({ length: CONTACTS }, (_, i) =>
        call(base(i), 'POST', `/api/v1/inboxes/${inbox.body.id as string}/messages`, admin, {
          externalId: `busy-${i}-${randomUUID()}`,
          handles: [{ kind: 'email', value: `busy-reader-${i}@example.org` }],
          text: `Question ${i}`,
        }),
      ),
    );
    const accepted = new Map<string, string>();
    const answers = { accepted: 0, rejected: 0, refused: 0, resolved: 0 };
    const until = Date.now() + RUN_MS;
    await Promise.all(
      agents.map(async (agent, i) => {
        let turn = 0;
        while (Date.now() < until) {
          turn += 1;
          const mine = await fetch(`${base(i + turn)}/api/v1/offers`, { headers: { authorization: agent.auth } });
          for (const offer of (await mine.json()) as Array<{ id: string; conversationId: string }>) {
            const roll = Math.random();
            if (roll < 0.2) continue; // left to time out
            const verb = roll < 0.75 ? 'accept' : 'reject';
            const res = await call(base(i + turn + 1), 'POST', `/api/v1/offers/${offer.id}/${verb}`, agent.auth);
            if (res.status === 200 && verb === 'accept') {
              answers.accepted += 1;
              accepted.set(offer.conversationId, agent.id);
            } else if (res.status === 200) answers.rejected += 1;
            else {
              expect(res.status).toBe(409);
              answers.refused += 1;
            }
          }
          // Now and then an agent finishes a conversation, which frees a place.
          if (turn % 4 === 0) {
            const held = [...accepted].filter(([, who]) => who === agent.id).map(([c]) => c);
            const done = held[0];
            if (done) {
              accepted.delete(done);
              const res = await call(base(i + turn), 'POST', `/api/v1/conversations/${done}/status`, agent.auth, {
                status: 'resolved',
                readLevel: 1,
                questionType: 'directional',
              });
              expect(res.status).toBe(200);
              answers.resolved += 1;
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      }),
    );
    for (const res of await posted) expect(res.status).toBe(201);
    sampling = false;
    await sampler;

    console.log(
      `${bases.length} api process(es)${postgres ? ' + a worker' : ''}: ${samples} samples, ` +
        `${answers.accepted} accepted, ${answers.rejected} rejected, ${answers.refused} refused (409), ${answers.resolved} resolved`,
    );
    expect(samples).toBeGreaterThan(20);
    expect(answers.accepted).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    // Every accepted offer's agent holds its conversation (none taken twice), and nothing was lost.
    const assignees = await sql(`SELECT id, assignee_id FROM conversations WHERE assignee_id IN (${ids})`);
    const holder = new Map(assignees.map((r) => [String(r.id), String(r.assignee_id)]));
    for (const [conversationId, agentId] of accepted) expect(holder.get(conversationId)).toBe(agentId);
    const stored = await sql(`SELECT COUNT(*) AS n FROM conversations WHERE inbox_id = '${inbox.body.id as string}'`);
    expect(Number(stored[0].n)).toBe(CONTACTS);
    const output = processes.map((p) => p.output()).join('\n');
    expect(output).not.toMatch(/dispatch of library .* failed/);
  }, 90_000);
});
