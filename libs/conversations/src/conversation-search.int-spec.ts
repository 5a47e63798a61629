import { Clock, DatabaseService, EventBus, libraryScope, LocalDirectoryStorage } from '@readerdesk/platform';
import { IdentityService } from '@readerdesk/readers';
import { ReaderEventRepository } from '../../readers/src/reader-event.repository';
import { ReaderHandleRepository } from '../../readers/src/reader-handle.repository';
import { ReaderRepository } from '../../readers/src/reader.repository';
import {
  build,
  connectTestDatabase,
  describeWithDatabase,
  testIngestionService,
  testEnvironment,
} from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { BranchRepository } from '../../tenancy/src/branch.repository';
import { LibraryRepository } from '../../tenancy/src/library.repository';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentService } from './attachment.service';
import { ConversationFilter, ftsMatch, searchWords } from './conversation-search';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { InboxRepository } from './inbox.repository';
import { IngestionService } from './ingestion.service';
import { MessageRepository } from './message.repository';

describe('search words', () => {
  it('keeps letters and digits of any script and quotes each word for FTS5', () => {
    expect(searchWords('  Riverside "Herald" 1925, (microfilm)* OR NEAR(x y) ')).toEqual([
      'Riverside',
      'Herald',
      '1925',
      'microfilm',
      'OR',
      'NEAR',
      'x',
      'y',
    ]);
    expect(searchWords('Müller 東京 José')).toEqual(['Müller', '東京', 'José']);
    expect(searchWords('"*() - ')).toEqual([]);
    expect(ftsMatch('subject: a"b')).toBe('"subject" "a" "b"');
  });
});

describeWithDatabase('conversation search (PostgreSQL full-text search, SQLite FTS5)', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let ingestion: IngestionService;
  let service: ConversationService;
  let conversations: ConversationRepository;
  let blobDir: string;
  const scope = libraryScope(randomUUID());
  const elsewhere = libraryScope(randomUUID());
  const mail = randomUUID();
  const theirs = randomUUID();
  const ids: Record<string, string> = {};

  const find = async (filter: ConversationFilter, library = scope): Promise<string[]> => {
    const rows = await conversations.page(library, filter, 'all', 100);
    const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return rows.map((c) => names[c.id] ?? c.id).sort();
  };

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    const libraries = new LibraryRepository(database);
    for (const [s, slug] of [
      [scope, 'lib'],
      [elsewhere, 'elsewhere'],
    ] as const) {
      await libraries.insert(build.library({ id: s.libraryId, slug, name: slug }));
    }
    const inboxes = new InboxRepository(database);
    await inboxes.insert(scope, build.inbox(scope, { id: mail, channel: 'email', name: 'Ask', address: null }));
    await inboxes.insert(
      elsewhere,
      build.inbox(elsewhere, { id: theirs, channel: 'email', name: 'Theirs', address: null }),
    );
    const events = new EventBus(database);
    const clock = new Clock();
    const identity = new IdentityService(
      database,
      events,
      new LibraryDirectory(libraries, new BranchRepository(database)),
      new ReaderRepository(database),
      new ReaderHandleRepository(database),
      new ReaderEventRepository(database),
    );
    const messages = new MessageRepository(database);
    conversations = new ConversationRepository(database);
    blobDir = await mkdtemp(join(tmpdir(), 'readerdesk-search-blobs-'));
    const files = new AttachmentService(
      new LocalDirectoryStorage(blobDir),
      new AttachmentRepository(database),
      testEnvironment({}),
      clock,
    );
    const parts = { database, events, clock, identity, inboxes, conversations, messages, attachments: files };
    ingestion = testIngestionService(parts);
    service = new ConversationService(database, events, clock, conversations, messages, files);

    const open = async (
      name: string,
      subject: string,
      text: string,
      receivedAt: string,
      library = scope,
      inboxId = mail,
    ) => {
      const result = await ingestion.ingest(library, {
        inboxId,
        channel: 'email',
        externalId: `<${name}@example.org>`,
        handles: [{ kind: 'email', value: `${name}@example.org` }],
        subject,
        text,
        receivedAt: new Date(receivedAt),
      });
      ids[name] = result.conversation.id;
    };
    await open('herald', 'Riverside Herald 1925', 'Do you keep the newspaper on microfilm?', '2026-11-02T10:00:00Z');
    await open('renewal', 'Card renewal', 'My library card expires next week.', '2026-11-10T23:30:00Z');
    await open('maps', 'Old maps', 'Looking for survey maps of the harbour, 1890s.', '2026-11-20T08:00:00Z');
    // Same words, another library: never found from this one.
    await open('foreign', 'Riverside Herald 1925', 'Microfilm please', '2026-11-02T10:00:00Z', elsewhere, theirs);
    // A later message on the maps conversation is searched too.
    await ingestion.ingest(scope, {
      inboxId: mail,
      channel: 'email',
      externalId: '<maps-2@example.org>',
      handles: [{ kind: 'email', value: 'maps@example.org' }],
      conversationId: ids.maps,
      text: 'Also the lighthouse drawings.',
      receivedAt: new Date('2026-11-20T09:00:00Z'),
    });
    await service.edit(scope, ids.herald, null, { tags: ['Local History', 'newspapers'] });
    await service.edit(scope, ids.maps, null, { tags: ['local history'] });
  });
  afterAll(async () => {
    await drop?.();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('finds conversations whose messages hold all the words, in any case and order, in this library only', async () => {
    expect(await find({ text: 'microfilm' })).toEqual(['herald']);
    expect(await find({ text: 'HERALD riverside' })).toEqual(['herald']);
    expect(await find({ text: 'lighthouse' })).toEqual(['maps']);
    expect(await find({ text: 'maps lighthouse' })).toEqual([]); // the words are in two different messages
    expect(await find({ text: 'microfilm card' })).toEqual([]);
    expect(await find({ text: 'microfilm' }, elsewhere)).toEqual(['foreign']);
  });

  it('reads search syntax as plain words, never as an error', async () => {
    for (const text of [
      '"microfilm',
      'microfilm OR card',
      'NEAR(microfilm card)',
      'subject:microfilm',
      'micro*',
      '-card',
    ]) {
      await expect(find({ text })).resolves.toEqual(expect.any(Array));
    }
    expect(await find({ text: '"microfilm"' })).toEqual(['herald']);
  });

  it('filters by tag (stored normalised) and creation date, together with the text', async () => {
    expect(await find({ tag: 'local history' })).toEqual(['herald', 'maps']);
    expect(await find({ tag: 'newspapers' })).toEqual(['herald']);
    expect(await find({ tag: 'local' })).toEqual([]);
    expect(await find({ createdFrom: new Date('2026-11-10T00:00:00Z') })).toEqual(['maps', 'renewal']);
    expect(
      await find({ createdFrom: new Date('2026-11-10T00:00:00Z'), createdBefore: new Date('2026-11-11T00:00:00Z') }),
    ).toEqual(['renewal']);
    expect(await find({ createdBefore: new Date('2026-11-10T23:30:00Z') })).toEqual(['herald']);
    expect(await find({ tag: 'local history', text: 'harbour', createdFrom: new Date('2026-11-15') })).toEqual([
      'maps',
    ]);
  });

  it('follows changes to the messages it indexes', async () => {
    const table = database.dialect === 'postgres' ? 'messages' : '"messages"';
    await database.manager.query(
      `UPDATE ${table} SET text = 'Now about the tram timetable' WHERE library_id = ${
        database.dialect === 'postgres' ? '$1' : '?'
      } AND external_id = '<renewal@example.org>'`,
      [scope.libraryId],
    );
    expect(await find({ text: 'tram timetable' })).toEqual(['renewal']);
    expect(await find({ text: 'expires' })).toEqual([]);
    await database.manager.query(
      `DELETE FROM ${table} WHERE library_id = ${database.dialect === 'postgres' ? '$1' : '?'} AND external_id = '<maps-2@example.org>'`,
      [scope.libraryId],
    );
    expect(await find({ text: 'lighthouse' })).toEqual([]);
    expect(await find({ text: 'harbour' })).toEqual(['maps']);
  });
});
