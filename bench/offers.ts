/**
 * bench/offers: offers end to end (#14's target: p95 ≤ 100 ms at 200 contacts/s). The whole desk in
 * this process on PostgreSQL (the in-process queue), 100 agents available in Reference with room for
 * everything, each with a socket.io console that accepts every offer at once. Chat contacts are
 * posted at 200 a second over HTTP; the figure is the time from sending a contact to its
 * `offer.created` on an agent's socket. The ceiling measured in the same run is the contact's own
 * HTTP round trip (stored, answered): an offer cannot reach a console before its contact is stored.
 */
import { INestApplication } from '@nestjs/common';
import type { OfferCreatedEvent } from '@readerdesk/contracts';
import { DEMO_ADMIN } from '@readerdesk/persistence';
import { JwtService } from '@nestjs/jwt';
import { createHttpApp, DatabaseService } from '@readerdesk/platform';
import { ACCESS_TOKEN_TTL_SECONDS, Agent } from '@readerdesk/staff';
import { io, type Socket } from 'socket.io-client';
import { DeskModule } from '../apps/desk/src/desk.module';
import { benchEnvironment } from './environment';
import { percentile } from './stats';

const AGENTS = Number(process.env.BENCH_OFFERS_AGENTS ?? 100);
const RATE = Number(process.env.BENCH_OFFERS_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_OFFERS_SECONDS ?? 15);

async function json<T>(base: string, path: string, init: { token?: string; method?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function offersBench(url: string): Promise<unknown> {
  const app: INestApplication = await createHttpApp(DeskModule.forRoot(benchEnvironment(url)));
  await app.listen(0, '127.0.0.1');
  await app.get(DatabaseService).connect();
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const sockets: Socket[] = [];
  try {
    const admin = (
      await json<{ accessToken: string }>(base, '/api/v1/auth/login', {
        body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
      })
    ).accessToken;
    const departments = await json<Array<{ id: string; code: string }>>(base, '/api/v1/departments', { token: admin });
    const reference = departments.find((d) => d.code === 'reference')!.id;
    const inbox = await json<{ id: string }>(base, '/api/v1/inboxes', {
      token: admin,
      body: { channel: 'chat', name: 'Bench chat', defaultDepartmentId: reference },
    });
    const sent = new Map<string, number>();
    const offerMs: number[] = [];
    let offers = 0;
    for (let i = 0; i < AGENTS; i++) {
      const email = `bench.offers.${i}@demo.readerdesk.org`;
      const { id } = await json<{ id: string }>(base, '/api/v1/agents', {
        token: admin,
        body: {
          email,
          displayName: `Bench ${i}`,
          role: 'agent',
          password: 'a-long-enough-password',
          departmentIds: [reference],
        },
      });
      await json(base, `/api/v1/agents/${id}`, {
        token: admin,
        method: 'PATCH',
        body: { capacity: { voice: 1, video: 1, chat: 50, sms: 5, email: 10 } },
      });
      // Signed as sign-in signs them (sign-in itself is rate-limited per address): the account after its PATCH.
      const account = await app.get(DatabaseService).manager.getRepository(Agent).findOneByOrFail({ id });
      const token = await app
        .get(JwtService)
        .signAsync(
          { sub: id, lib: account.libraryId, role: 'agent', ver: account.tokenVersion },
          { expiresIn: ACCESS_TOKEN_TTL_SECONDS },
        );
      const socket = io(base, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false });
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      socket.on('offer.created', (offer: OfferCreatedEvent) => {
        const at = sent.get(offer.reader.displayName ?? '');
        if (at !== undefined) {
          offerMs.push(performance.now() - at);
          offers += 1;
        }
        socket.emit('offer.accept', { offerId: offer.offerId }, () => undefined);
      });
      sockets.push(socket);
      await json(base, '/api/v1/agents/me/presence', { token, method: 'PUT', body: { presence: 'available' } });
    }
    const total = RATE * SECONDS;
    const storedMs: number[] = [];
    const started = performance.now();
    const posts: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const name = `bench-reader-${i}`;
      const at = performance.now();
      sent.set(name, at);
      posts.push(
        json(base, `/api/v1/inboxes/${inbox.id}/messages`, {
          token: admin,
          body: {
            externalId: `bench-offer-${i}`,
            handles: [{ kind: 'email', value: `${name}@example.org` }],
            displayName: name,
            text: 'Is the reading room open late?',
          },
        }).then(() => {
          storedMs.push(performance.now() - at);
        }),
      );
    }
    await Promise.all(posts);
    const deadline = performance.now() + 10_000;
    while (offers < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const seconds = (performance.now() - started) / 1000;
    offerMs.sort((a, b) => a - b);
    storedMs.sort((a, b) => a - b);
    const figures = {
      agents: AGENTS,
      contacts: total,
      offered: offers,
      contactsPerSecond: total / seconds,
      offerP50ms: percentile(offerMs, 50),
      offerP95ms: percentile(offerMs, 95),
      offerP99ms: percentile(offerMs, 99),
      storedP50ms: percentile(storedMs, 50),
      storedP95ms: percentile(storedMs, 95),
    };
    console.log(
      `${AGENTS} agents, ${total} chat contacts at ${RATE}/s (${figures.contactsPerSecond.toFixed(0)}/s achieved), ${offers} offers seen`,
    );
    console.log('                                  p50 ms   p95 ms   p99 ms');
    console.log(
      `contact → offer.created        ${figures.offerP50ms.toFixed(1).padStart(8)} ${figures.offerP95ms.toFixed(1).padStart(8)} ${figures.offerP99ms.toFixed(1).padStart(8)}`,
    );
    console.log(
      `ceiling: contact stored (HTTP) ${figures.storedP50ms.toFixed(1).padStart(8)} ${figures.storedP95ms.toFixed(1).padStart(8)}`,
    );
    console.log(
      `ratio (p95 offer / p95 stored): ${(figures.offerP95ms / figures.storedP95ms).toFixed(2)}; target p95 ≤ 100 ms`,
    );
    return figures;
  } finally {
    for (const s of sockets) s.disconnect();
    await app.close();
  }
}
