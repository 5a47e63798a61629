import { Clock, DatabaseService, EventBus, libraryScope, LocalDirectoryStorage } from '@readerdesk/platform';
import { IdentityService } from '@readerdesk/readers';
import { ReaderEventRepository } from '../../readers/src/reader-event.repository';
import { ReaderHandleRepository } from '../../readers/src/reader-handle.repository';
import { ReaderRepository } from '../../readers/src/reader.repository';
import { connectTestDatabase, describeWithDatabase, testIngestionService, testEnvironment } from '@readerdesk/testing';
import { Library, LibraryDirectory } from '@readerdesk/tenancy';
import { BranchRepository } from '../../tenancy/src/branch.repository';
import { LibraryRepository } from '../../tenancy/src/library.repository';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentService } from './attachment.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { Inbox } from './inbox.entity';
import { InboxRepository } from './inbox.repository';
import { InboundMessage, IngestionService, IngestResult } from './ingestion.service';
import { MessageRepository } from './message.repository';

describeWithDatabase('ingestion and the conversation lifecycle', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let ingestion: IngestionService;
  let others: IngestionService[];
  let service: ConversationService;
  let identity: IdentityService;
  let messages: MessageRepository;
  let attachments: AttachmentRepository;
  let blobDir: string;
  const scope = libraryScope(randomUUID());
  const elsewhere = libraryScope(randomUUID());
  const chat = randomUUID();
  const mail = randomUUID();
  const foreign = randomUUID();

  const inbound = (over: Partial<InboundMessage> = {}): InboundMessage => ({
    inboxId: chat,
    channel: 'chat',
    externalId: randomUUID(),
    handles: [{ kind: 'chat', value: 'session-1' }],
    text: 'Can I renew my loans online?',
    ...over,
  });

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    const libraries = new LibraryRepository(database);
    for (const [s, slug] of [
      [scope, 'lib'],
      [elsewhere, 'elsewhere'],
    ] as const) {
      await libraries.insert({
        id: s.libraryId,
        slug,
        name: slug,
        defaultCountry: 'US',
        defaultLanguage: 'en',
        timeZone: 'UTC',
        keepHistoryByDefault: false,
      } as Library);
    }
    const inboxes = new InboxRepository(database);
    await inboxes.insert(scope, {
      id: chat,
      channel: 'chat',
      name: 'Web chat',
      defaultDepartmentId: null,
      settings: {},
    } as Inbox);
    await inboxes.insert(scope, {
      id: mail,
      channel: 'email',
      name: 'Ask a librarian',
      defaultDepartmentId: null,
      settings: {},
    } as Inbox);
    await inboxes.insert(elsewhere, {
      id: foreign,
      channel: 'chat',
      name: 'Their chat',
      defaultDepartmentId: null,
      settings: {},
    } as Inbox);
    const events = new EventBus(database);
    const clock = new Clock();
    identity = new IdentityService(
      database,
      events,
      new LibraryDirectory(libraries, new BranchRepository(database)),
      new ReaderRepository(database),
      new ReaderHandleRepository(database),
      new ReaderEventRepository(database),
    );
    messages = new MessageRepository(database);
    const conversations = new ConversationRepository(database);
    blobDir = await mkdtemp(join(tmpdir(), 'readerdesk-ingest-blobs-'));
    attachments = new AttachmentRepository(database);
    const files = new AttachmentService(
      new LocalDirectoryStorage(blobDir),
      attachments,
      testEnvironment({ DESK_ATTACHMENT_MAX_BYTES: '4096' }),
      clock,
    );
    const parts = { database, events, clock, identity, inboxes, conversations, messages, attachments: files };
    ingestion = testIngestionService(parts);
    // Other desk processes sharing the database: no in-memory state in common with `ingestion`.
    others = Array.from({ length: 4 }, () => testIngestionService(parts));
    service = new ConversationService(database, events, clock, conversations, messages, files);
    service.onModuleInit();
  });
  afterAll(async () => {
    await drop?.();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  async function blobFiles(): Promise<string[]> {
    const entries = await readdir(blobDir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  }

  it('stores 20 concurrent deliveries of the same contact exactly once', async () => {
    const same = inbound({ externalId: 'client-msg-42', handles: [{ kind: 'chat', value: 'rush-session' }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => ingestion.ingest(scope, same)));
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await messages.count(scope, { externalId: 'client-msg-42' })).toBe(1);
    const again = await ingestion.ingest(scope, same);
    expect(again).toMatchObject({ duplicate: true, message: { id: results[0].message.id } });
  });

  it('numbers conversations above any number already in the library (an import, a restore)', async () => {
    const conversations = new ConversationRepository(database);
    const first = await ingestion.ingest(
      scope,
      inbound({ handles: [{ kind: 'chat', value: `import-${randomUUID()}` }] }),
    );
    const imported = first.conversation.number + 500;
    await database.transaction(() => conversations.update(scope, first.conversation.id, { number: imported }));
    const next = await ingestion.ingest(
      scope,
      inbound({ handles: [{ kind: 'chat', value: `after-${randomUUID()}` }] }),
    );
    expect(next.conversation.number).toBe(imported + 1);
  });

  it('stores a contact delivered to several processes at once exactly once (the unique index decides)', async () => {
    const same = inbound({ externalId: 'client-msg-43', handles: [{ kind: 'chat', value: 'race-session' }] });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, k) => [ingestion, ...others][k % 5].ingest(scope, same)),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await messages.count(scope, { externalId: 'client-msg-43' })).toBe(1);
  });

  it('continues the reader’s ongoing chat, and opens a new conversation for each unthreaded email', async () => {
    const first = await ingestion.ingest(scope, inbound());
    const second = await ingestion.ingest(scope, inbound({ text: 'And my holds?' }));
    expect(first.conversationCreated).toBe(true);
    expect(second.conversation.id).toBe(first.conversation.id);
    const mailA = await ingestion.ingest(
      scope,
      inbound({ inboxId: mail, channel: 'email', handles: [{ kind: 'email', value: 'a@example.org' }] }),
    );
    const mailB = await ingestion.ingest(
      scope,
      inbound({ inboxId: mail, channel: 'email', handles: [{ kind: 'email', value: 'a@example.org' }] }),
    );
    expect(mailB.conversation.id).not.toBe(mailA.conversation.id);
    expect(mailB.conversation.number).toBeGreaterThan(mailA.conversation.number);
    const threaded = await ingestion.ingest(
      scope,
      inbound({
        inboxId: mail,
        channel: 'email',
        conversationId: mailA.conversation.id,
        handles: [{ kind: 'email', value: 'a@example.org' }],
      }),
    );
    expect(threaded.conversation.id).toBe(mailA.conversation.id);
  });

  it('reopens a pending or resolved conversation when the reader writes, and starts anew after close', async () => {
    const handles = [{ kind: 'chat' as const, value: 'session-lifecycle' }];
    const { conversation } = await ingestion.ingest(scope, inbound({ handles }));
    const agentId = randomUUID();
    await service.reply(scope, conversation.id, agentId, 'Yes: My Library → Renew');
    expect((await service.get(scope, conversation.id)).status).toBe('pending');
    await ingestion.ingest(scope, inbound({ handles, text: 'Thanks, done.' }));
    const reopened = await service.get(scope, conversation.id);
    expect(reopened.status).toBe('open');
    expect(reopened.firstResponseAt).not.toBeNull();
    await expect(
      service.changeStatus(scope, conversation.id, { to: 'resolved', actorAgentId: agentId }),
    ).rejects.toMatchObject({ code: 'resolution_needs_statistics' });
    await service.changeStatus(scope, conversation.id, {
      to: 'resolved',
      actorAgentId: agentId,
      readLevel: 2,
      questionType: 'circulation_account',
    });
    await service.changeStatus(scope, conversation.id, { to: 'closed', actorAgentId: agentId });
    const after = await ingestion.ingest(scope, inbound({ handles, text: 'One more question' }));
    expect(after.conversationCreated).toBe(true);
    expect(after.conversation.id).not.toBe(conversation.id);
    const kinds = (await service.timeline(scope, conversation.id)).map((m) => [m.kind, m.data.type ?? null]);
    expect(kinds).toEqual([
      ['inbound', null],
      ['outbound', null],
      ['inbound', null],
      ['event', 'status_changed'],
      ['event', 'status_changed'],
    ]);
  });

  it('stores attachments with the message, notes the ones over the limit, and keeps bytes once under retries', async () => {
    const photo = Buffer.alloc(3000, 1);
    const same = inbound({
      inboxId: mail,
      channel: 'email',
      handles: [{ kind: 'email', value: 'files@example.org' }],
      attachments: [
        { filename: '../../etc/card photo.jpg', contentType: 'IMAGE/JPEG; name=x', content: photo },
        { filename: 'scan.pdf', contentType: 'application/pdf', content: Buffer.alloc(5000, 2) },
      ],
      droppedAttachments: [{ filename: 'video.mp4', contentType: 'video/mp4', size: 60_000_000, reason: 'too large' }],
    });
    const before = (await blobFiles()).length;
    const results = await Promise.all(Array.from({ length: 10 }, () => ingestion.ingest(scope, same)));
    const stored = results.find((r) => !r.duplicate);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const rows = await attachments.find(scope, { messageId: stored?.message.id });
    expect(rows).toEqual([
      expect.objectContaining({
        filename: 'card photo.jpg',
        contentType: 'image/jpeg',
        size: 3000,
        conversationId: stored?.conversation.id,
      }),
    ]);
    expect(stored?.message.data.droppedAttachments).toEqual([
      { filename: 'scan.pdf', contentType: 'application/pdf', size: 5000, reason: 'larger than 4096 bytes' },
      { filename: 'video.mp4', contentType: 'video/mp4', size: 60_000_000, reason: 'too large' },
    ]);
    // The losers of the race removed the bytes they had staged: one file per stored attachment.
    expect((await blobFiles()).length - before).toBe(1);
    expect(await attachments.count(elsewhere)).toBe(0);
  });

  it('sanitises HTML on the way in and keeps the original', async () => {
    const { message } = await ingestion.ingest(
      scope,
      inbound({ html: '<p>Hello<script>alert(1)</script><img src=x onerror="alert(2)"></p>' }),
    );
    expect(message.html).toBe('<p>Hello<img src="x" /></p>');
    expect(message.rawHtml).toContain('<script>');
  });

  it("refuses another library's inbox as if it did not exist, and empty messages", async () => {
    await expect(ingestion.ingest(scope, inbound({ inboxId: foreign }))).rejects.toMatchObject({ status: 404 });
    await expect(ingestion.ingest(scope, inbound({ text: '  ' }))).rejects.toMatchObject({ code: 'empty_message' });
  });

  it('moves conversations along when their reader is merged into another', async () => {
    const a = await ingestion.ingest(scope, inbound({ handles: [{ kind: 'phone', value: '+12125550170' }] }));
    const b = await ingestion.ingest(
      scope,
      inbound({ handles: [{ kind: 'email', value: 'same.person@example.org' }] }),
    );
    await identity.merge(scope, a.conversation.readerId, b.conversation.readerId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await service.get(scope, b.conversation.id)).readerId).toBe(a.conversation.readerId);
  });

  it('stores contacts arriving together as if one after the other (batched): one reader and conversation per person', async () => {
    const run = randomUUID().slice(0, 8);
    const known = await ingestion.ingest(scope, inbound({ handles: [{ kind: 'chat', value: `known-${run}` }] }));
    const contacts = [
      ...Array.from({ length: 5 }, (_, k) =>
        inbound({ handles: [{ kind: 'chat', value: `newcomer-${run}` }], text: `newcomer ${k}` }),
      ),
      ...Array.from({ length: 3 }, (_, k) =>
        inbound({ handles: [{ kind: 'chat', value: `known-${run}` }], text: `known ${k}` }),
      ),
      // Handles of two different people: resolved alone, never merged.
      inbound({
        handles: [
          { kind: 'chat', value: `known-${run}` },
          { kind: 'email', value: `someone-${run}@example.org` },
        ],
      }),
    ];
    const results = await Promise.all(contacts.map((c) => ingestion.ingest(scope, c)));
    const newcomer = results.slice(0, 5);
    expect(new Set(newcomer.map((r) => r.conversation.readerId)).size).toBe(1);
    expect(new Set(newcomer.map((r) => r.conversation.id)).size).toBe(1);
    expect(newcomer.filter((r) => r.conversationCreated)).toHaveLength(1);
    const timeline = await messages.timeline(scope, newcomer[0].conversation.id);
    expect(timeline.map((m) => m.text).sort()).toEqual([
      'newcomer 0',
      'newcomer 1',
      'newcomer 2',
      'newcomer 3',
      'newcomer 4',
    ]);
    const conversation = await service.get(scope, newcomer[0].conversation.id);
    expect(conversation.status).toBe('new');
    expect(conversation.number).toBeGreaterThan(known.conversation.number);
    for (const r of results.slice(5, 8)) {
      expect(r).toMatchObject({ duplicate: false, conversationCreated: false });
      expect(r.conversation.id).toBe(known.conversation.id);
    }
    expect(results[8].conversation.readerId).toBe(known.conversation.readerId);
    // Numbers stay unique and increase however the contacts were grouped; a batch takes consecutive ones.
    const numbers = (await new ConversationRepository(database).find(scope, {}))
      .map((c) => c.number)
      .sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('wakes every conversation of a batch with its own reader’s time (all changed by one statement)', async () => {
    const run = randomUUID().slice(0, 8);
    const handles = (k: number) => [{ kind: 'chat' as const, value: `reopen-${run}-${k}` }];
    const firsts: IngestResult[] = [];
    for (let k = 0; k < 6; k += 1) firsts.push(await ingestion.ingest(scope, inbound({ handles: handles(k) })));
    for (const first of firsts) await service.reply(scope, first.conversation.id, randomUUID(), 'See the catalogue');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const woken = Date.now();
    const base = woken - 60_000;
    const results = await Promise.all(
      firsts.map((_, k) =>
        ingestion.ingest(
          scope,
          inbound({ handles: handles(k), text: `answer ${k}`, receivedAt: new Date(base + k * 1000) }),
        ),
      ),
    );
    for (const [k, result] of results.entries()) {
      expect(result).toMatchObject({ duplicate: false, conversationCreated: false });
      expect(result.conversation.id).toBe(firsts[k].conversation.id);
      const stored = await service.get(scope, result.conversation.id);
      expect(stored.status).toBe('open');
      expect(stored.lastMessageAt.getTime()).toBe(base + k * 1000);
      expect(stored.waitingSince?.getTime()).toBe(base + k * 1000);
      expect(stored.updatedAt.getTime()).toBeGreaterThanOrEqual(woken);
    }
  });

  it('loses nothing when a batch fails: the others are stored, the bad one gets its own error', async () => {
    const run = randomUUID().slice(0, 8);
    const good = Array.from({ length: 4 }, (_, k) =>
      inbound({ handles: [{ kind: 'chat', value: `batch-${run}-${k}` }], text: `fine ${k}` }),
    );
    // Longer than the external id column: PostgreSQL refuses it (SQLite does not check lengths).
    const bad = inbound({ externalId: `x`.repeat(300), handles: [{ kind: 'chat', value: `bad-${run}` }] });
    const outcomes = await Promise.allSettled([...good, bad, ...good].map((c) => ingestion.ingest(scope, c)));
    const stored = outcomes.slice(0, 4);
    expect(stored.every((o) => o.status === 'fulfilled')).toBe(true);
    for (const c of good) expect(await messages.count(scope, { externalId: c.externalId })).toBe(1);
    // Each repeat and its original: one message, reported new once and duplicate once, whichever path stored it.
    type Stored = PromiseFulfilledResult<{ message: { id: string }; duplicate: boolean }>;
    for (const [k, repeat] of outcomes.slice(5).entries()) {
      expect(repeat.status).toBe('fulfilled');
      const pair = [stored[k] as Stored, repeat as Stored].map((o) => o.value);
      expect(pair[0].message.id).toBe(pair[1].message.id);
      expect(pair.map((p) => p.duplicate).sort()).toEqual([false, true]);
    }
    if (database.dialect === 'postgres') expect(outcomes[4].status).toBe('rejected');
    else expect(outcomes[4].status).toBe('fulfilled');
  });

  it('keeps email rules when emails arrive together: unthreaded ones open conversations, named ones continue theirs', async () => {
    const run = randomUUID().slice(0, 8);
    const email = (over: Partial<InboundMessage>) =>
      inbound({
        inboxId: mail,
        channel: 'email',
        handles: [{ kind: 'email', value: `together-${run}@example.org` }],
        ...over,
      });
    const first = await ingestion.ingest(scope, email({ subject: 'First question' }));
    await service.changeStatus(scope, first.conversation.id, { to: 'pending', actorAgentId: null });
    const results = await Promise.all(
      [
        email({ subject: 'Second question' }),
        email({ subject: 'Third question' }),
        email({ subject: 'Re: First question', conversationId: first.conversation.id }),
        email({ subject: 'Re: First question', conversationId: first.conversation.id, text: 'And one more thing' }),
        // Named, but of another library: not found, so a conversation of its own.
        email({ subject: 'Stray', conversationId: randomUUID() }),
      ].map((c) => ingestion.ingest(scope, c)),
    );
    const ids = results.map((r) => r.conversation.id);
    expect(new Set([ids[0], ids[1], ids[4], first.conversation.id]).size).toBe(4);
    expect(ids[2]).toBe(first.conversation.id);
    expect(ids[3]).toBe(first.conversation.id);
    expect(results.map((r) => r.conversationCreated)).toEqual([true, true, false, false, true]);
    expect((await service.get(scope, first.conversation.id)).status).toBe('open');
    expect(await messages.timeline(scope, first.conversation.id)).toHaveLength(4); // 3 emails + the status event
  });
});
