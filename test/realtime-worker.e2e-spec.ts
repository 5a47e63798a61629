import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ChannelsModule } from '@readerdesk/channels';
import { MessageAppended } from '@readerdesk/conversations';
import { DEMO, DEMO_AGENT_PASSWORD, DeskDataSourceOptions, PersistenceModule } from '@readerdesk/persistence';
import { Environment, EventBus, libraryScope, PlatformModule } from '@readerdesk/platform';
import { RealtimeEmitterModule } from '@readerdesk/realtime';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { describeWithDatabase, testDialect } from '@readerdesk/testing';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DepartmentRepository } from '../libs/staff/src/department.repository';
import { connectConsole, ConnectedConsole, eventually } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

// A worker reaches the api's sockets through Redis; that needs REDIS_URL (set in the PostgreSQL pass).
const withRedis = testDialect() === 'postgres' && !!process.env.REDIS_URL;
if (!withRedis) console.warn('worker → socket tests skipped: they need REDIS_URL and run in the PostgreSQL pass');

(withRedis ? describeWithDatabase : describe.skip)('events published in a worker process reach the consoles', () => {
  let desk: TestApp;
  let worker: INestApplicationContext;
  const consoles: ConnectedConsole[] = [];

  beforeAll(async () => {
    desk = await createTestApp();
    @Module({
      imports: [
        // This stand-in worker only publishes events: like an api process it consumes no jobs (the
        // conversations library it loads holds the outbox's handlers, which run in the desk).
        PlatformModule.forRoot({
          env: Object.assign(new Environment(), desk.env, { DESK_ROLE: 'api' }),
          dataSource: DeskDataSourceOptions,
        }),
        PersistenceModule,
        // Every channel's adapter, which the conversations library's registry needs at boot.
        ChannelsModule,
        RealtimeEmitterModule,
      ],
    })
    class WorkerRoot {}
    worker = await NestFactory.createApplicationContext(WorkerRoot, { logger: false });
    await worker.init();
  });
  afterAll(async () => {
    for (const c of consoles) c.socket.disconnect();
    await worker?.close();
    await desk?.close();
  });

  it("delivers a worker's message event to its department's agents through Redis, and to nobody else", async () => {
    const url = `http://127.0.0.1:${(desk.app.getHttpServer().address() as AddressInfo).port}`;
    const token = async (email: string) =>
      (await desk.signIn(email, DEMO_AGENT_PASSWORD)).Authorization.replace('Bearer ', '');
    const lena = await connectConsole(url, await token(DEMO.agents[1].email)); // reference
    const arash = await connectConsole(url, await token(DEMO.agents[2].email)); // circulation
    consoles.push(lena, arash);
    const { id: libraryId } = await desk.app.get(LibraryDirectory).getBySlug('demo');
    const departments = await desk.app.get(DepartmentRepository).find(libraryScope(libraryId));
    const reference = departments.find((d) => d.code === 'reference')!;
    const messageId = randomUUID();
    worker.get(EventBus).publish(MessageAppended, {
      authorAgentId: null,
      libraryId,
      conversationId: randomUUID(),
      messageId,
      kind: 'inbound',
      departmentId: reference.id,
    });
    await eventually(
      () =>
        lena.received.some(
          ([e, p]) => e === 'message.appended' && (p as { messageId: string }).messageId === messageId,
        ),
      'the reference agent to receive the worker’s event',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arash.received.filter(([e]) => e === 'message.appended')).toEqual([]);
  });
});
