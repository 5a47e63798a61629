import { DatabaseService, EventBus, libraryScope } from '@readerdesk/platform';
import { connectTestDatabase, describeWithDatabase } from '@readerdesk/testing';
import { Library, LibraryDirectory } from '@readerdesk/tenancy';
import { BranchRepository } from '../../tenancy/src/branch.repository';
import { randomUUID } from 'node:crypto';
import { LibraryRepository } from '../../tenancy/src/library.repository';
import { IdentityService } from './identity.service';
import { ReaderEventRepository } from './reader-event.repository';
import { ReaderHandleRepository } from './reader-handle.repository';
import { ReaderRepository } from './reader.repository';
import { ReadersMerged } from './reader.events';

describeWithDatabase('reader identity', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let identity: IdentityService;
  let events: EventBus;
  let readers: ReaderRepository;
  let handles: ReaderHandleRepository;
  let history: ReaderEventRepository;
  const us = libraryScope(randomUUID());
  const other = libraryScope(randomUUID());

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    const libraries = new LibraryRepository(database);
    for (const [scope, slug, keep] of [
      [us, 'us', false],
      [other, 'other', true],
    ] as const) {
      await libraries.insert({
        id: scope.libraryId,
        slug,
        name: slug,
        defaultCountry: 'US',
        defaultLanguage: 'en',
        timeZone: 'America/New_York',
        keepHistoryByDefault: keep,
      } as Library);
    }
    events = new EventBus(database);
    readers = new ReaderRepository(database);
    handles = new ReaderHandleRepository(database);
    history = new ReaderEventRepository(database);
    identity = new IdentityService(
      database,
      events,
      new LibraryDirectory(libraries, new BranchRepository(database)),
      readers,
      handles,
      history,
    );
  });
  afterAll(async () => drop?.());

  it('creates a reader for unknown handles, with the library default for consent', async () => {
    const first = await identity.resolve(us, {
      displayName: 'Ana',
      handles: [{ kind: 'email', value: 'Ana@Example.org' }],
    });
    expect(first.created).toBe(true);
    expect(first.reader.keepHistory).toBe(false);
    expect(first.handles.map((h) => [h.kind, h.value, h.raw])).toEqual([
      ['email', 'ana@example.org', 'Ana@Example.org'],
    ]);
    const otherLibrary = await identity.resolve(other, { handles: [{ kind: 'email', value: 'ana@example.org' }] });
    expect(otherLibrary.created).toBe(true);
    expect(otherLibrary.reader.keepHistory).toBe(true);
    expect(otherLibrary.reader.id).not.toBe(first.reader.id);
  });

  it('finds the same reader again through any normalised form of a handle, and attaches new handles', async () => {
    const a = await identity.resolve(us, { handles: [{ kind: 'phone', value: '(212) 555-0199' }] });
    const b = await identity.resolve(us, {
      handles: [
        { kind: 'phone', value: '+1 212 555 0199' },
        { kind: 'email', value: 'caller@example.org' },
      ],
    });
    expect(b.created).toBe(false);
    expect(b.reader.id).toBe(a.reader.id);
    expect(b.handles.map((h) => h.value).sort()).toEqual(['+12125550199', 'caller@example.org']);
    const c = await identity.resolve(us, { handles: [{ kind: 'email', value: 'CALLER@example.org' }] });
    expect(c.reader.id).toBe(a.reader.id);
  });

  it('keeps an unparsable phone number raw and flagged, and still recognises it next time', async () => {
    const a = await identity.resolve(us, { handles: [{ kind: 'phone', value: 'anonymous' }] });
    expect(a.handles[0]).toMatchObject({ value: 'anonymous', valid: false });
    expect((await identity.resolve(us, { handles: [{ kind: 'phone', value: 'anonymous' }] })).reader.id).toBe(
      a.reader.id,
    );
  });

  it('gives one reader to 20 concurrent first contacts with the same handle', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        identity.resolve(us, { handles: [{ kind: 'email', value: 'rush@example.org' }] }),
      ),
    );
    expect(new Set(results.map((r) => r.reader.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await handles.count(us, { value: 'rush@example.org' })).toBe(1);
  });

  it('reports handles of other readers as conflicts instead of merging on its own', async () => {
    const byCard = await identity.resolve(us, { handles: [{ kind: 'card', value: '2100 0042' }] });
    const byMail = await identity.resolve(us, { handles: [{ kind: 'email', value: 'two@example.org' }] });
    const both = await identity.resolve(us, {
      handles: [
        { kind: 'email', value: 'two@example.org' },
        { kind: 'card', value: '21000042' },
      ],
    });
    expect(both.reader.id).toBe(byCard.reader.id);
    expect(both.conflicts.map((h) => h.readerId)).toEqual([byMail.reader.id]);
  });

  it('merges two readers: handles move, the source becomes a tombstone, consent takes the more private choice, history records it', async () => {
    const target = await identity.resolve(us, {
      displayName: 'Target',
      handles: [{ kind: 'email', value: 't@example.org' }],
    });
    const source = await identity.resolve(us, {
      handles: [
        { kind: 'phone', value: '212 555 0111' },
        { kind: 'card', value: 'C-77' },
      ],
    });
    await readers.update(us, target.reader.id, { keepHistory: true });
    const seen: unknown[] = [];
    const off = events.subscribe(ReadersMerged, (e) => void seen.push(e));
    const merged = await identity.merge(us, target.reader.id, source.reader.id, null);
    off();
    expect(merged.cardNumber).toBe('C77');
    expect(merged.keepHistory).toBe(false);
    expect((await handles.forReader(us, target.reader.id)).map((h) => h.kind).sort()).toEqual([
      'card',
      'email',
      'phone',
    ]);
    expect((await readers.getById(us, source.reader.id)).mergedIntoId).toBe(target.reader.id);
    expect((await history.forReader(us, target.reader.id)).map((e) => e.type)).toEqual(['absorbed']);
    expect((await history.forReader(us, source.reader.id))[0].data).toEqual({ intoReaderId: target.reader.id });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      {
        libraryId: us.libraryId,
        targetReaderId: target.reader.id,
        sourceReaderId: source.reader.id,
        actorAgentId: null,
      },
    ]);
    expect((await identity.resolve(us, { handles: [{ kind: 'phone', value: '+12125550111' }] })).reader.id).toBe(
      target.reader.id,
    );
    await expect(identity.merge(us, target.reader.id, source.reader.id)).rejects.toMatchObject({
      code: 'reader_already_merged',
    });
  });

  it("cannot merge or unlink across libraries: another library's reader is not found", async () => {
    const mine = await identity.resolve(us, { handles: [{ kind: 'email', value: 'mine@example.org' }] });
    const theirs = await identity.resolve(other, { handles: [{ kind: 'email', value: 'theirs@example.org' }] });
    await expect(identity.merge(us, mine.reader.id, theirs.reader.id)).rejects.toMatchObject({ status: 404 });
    await expect(identity.unlink(us, theirs.handles[0].id)).rejects.toMatchObject({ status: 404 });
  });

  it('unlinks a handle merged by mistake into a new reader of its own, and refuses to unlink the last handle', async () => {
    const r = await identity.resolve(us, {
      handles: [
        { kind: 'email', value: 'family@example.org' },
        { kind: 'phone', value: '212 555 0123' },
      ],
    });
    const phone = r.handles.find((h) => h.kind === 'phone');
    const split = await identity.unlink(us, phone!.id);
    expect(split.reader.id).not.toBe(r.reader.id);
    expect(split.handles.map((h) => h.value)).toEqual(['+12125550123']);
    expect((await handles.forReader(us, r.reader.id)).map((h) => h.kind)).toEqual(['email']);
    expect((await history.forReader(us, r.reader.id)).map((e) => e.type)).toEqual(['handle_unlinked']);
    await expect(identity.unlink(us, split.handles[0].id)).rejects.toMatchObject({ code: 'last_handle' });
  });
});
