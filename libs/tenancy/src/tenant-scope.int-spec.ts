import { DatabaseService, libraryScope } from '@readerdesk/platform';
import { build, connectTestDatabase, describeWithDatabase } from '@readerdesk/testing';
import { randomUUID } from 'node:crypto';
import { BranchRepository } from './branch.repository';
import { LibraryRepository } from './library.repository';

describeWithDatabase('tenant-scoped repositories', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let branches: BranchRepository;
  const north = libraryScope(randomUUID());
  const south = libraryScope(randomUUID());

  const library = (id: string, slug: string) =>
    build.library({ id, slug, name: slug, defaultCountry: 'DE', defaultLanguage: 'de', timeZone: 'Europe/Berlin' });
  const branch = (code: string, libraryId = 'ignored') =>
    build.branch(libraryId, { code, name: `Branch ${code}`, timeZone: 'Europe/Berlin' });

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    const libraries = new LibraryRepository(database);
    await libraries.insert(library(north.libraryId, 'north'));
    await libraries.insert(library(south.libraryId, 'south'));
    branches = new BranchRepository(database);
  });

  afterAll(async () => drop?.());

  it('stamps inserted rows with the scope, whatever library id they carried', async () => {
    const [row] = await branches.insert(north, branch('n1', south.libraryId));
    expect(row.libraryId).toBe(north.libraryId);
    expect((await branches.findById(north, row.id))?.code).toBe('n1');
  });

  it("never reads, updates or deletes another library's rows", async () => {
    const [theirs] = await branches.insert(south, branch('s1'));
    expect(await branches.findById(north, theirs.id)).toBeNull();
    await expect(branches.getById(north, theirs.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect(await branches.find(north, { code: 's1' })).toEqual([]);
    expect(await branches.update(north, theirs.id, { name: 'hijacked' })).toBe(false);
    expect(await branches.delete(north, theirs.id)).toBe(false);
    expect((await branches.getById(south, theirs.id)).name).toBe('Branch s1');
  });

  it('counts and lists within the scope only', async () => {
    await branches.insert(south, branch('s2'), branch('s3'));
    expect(await branches.count(south)).toBe(3);
    expect((await branches.find(north)).map((b) => b.code)).toEqual(['n1']);
  });

  it('keeps the same code apart in two libraries but unique within one', async () => {
    await branches.insert(north, branch('shared'));
    await branches.insert(south, branch('shared'));
    await expect(branches.insert(north, branch('shared'))).rejects.toThrow();
  });

  it('rolls back every write of a failed transaction', async () => {
    const before = await branches.count(north);
    await expect(
      database.transaction(async () => {
        await branches.insert(north, branch('tx1'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await branches.count(north)).toBe(before);
  });

  it('runs concurrent transactions side by side without nesting them (SQLite takes turns)', async () => {
    const before = await branches.count(north);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        database.transaction(async () => {
          await branches.insert(north, branch(`c${i}`));
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (i % 4 === 3) throw new Error(`abort ${i}`);
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(9);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []))).toEqual([
      'abort 3',
      'abort 7',
      'abort 11',
    ]);
    expect(await branches.count(north)).toBe(before + 9);
  });

  it('returns each row of a multi-row insert with its own id and values (SQLite once swapped them)', async () => {
    const rows = await branches.insert(north, ...['m1', 'm2', 'm3', 'm4', 'm5'].map((code) => branch(code)));
    for (const row of rows) expect((await branches.getById(north, row.id)).code).toBe(row.code);
  });

  it('updates many rows with their own changes in one call, within the scope only', async () => {
    const [a, b, c] = await branches.insert(north, branch('u1'), branch('u2'), branch('u3'));
    const [theirs] = await branches.insert(south, branch('u4'));
    await branches.updateMany(north, [
      { id: a.id, changes: { name: 'Alpha', address: 'Market Square 1' } },
      { id: b.id, changes: { name: 'Beta', address: null } },
      { id: c.id, changes: { timeZone: 'Europe/Vienna' } },
      { id: theirs.id, changes: { name: 'hijacked' } },
      { id: a.id, changes: { address: "O'Connell Street 2" } },
    ]);
    expect(await branches.getById(north, a.id)).toMatchObject({ name: 'Alpha', address: "O'Connell Street 2" });
    expect(await branches.getById(north, b.id)).toMatchObject({
      name: 'Beta',
      address: null,
      timeZone: 'Europe/Berlin',
    });
    expect(await branches.getById(north, c.id)).toMatchObject({ name: 'Branch u3', timeZone: 'Europe/Vienna' });
    expect((await branches.getById(south, theirs.id)).name).toBe('Branch u4');
    if (database.dialect === 'postgres') {
      // The typed VALUES list must not cut a value to its column's length (SQLite enforces no lengths).
      await expect(branches.updateMany(north, [{ id: a.id, changes: { name: 'x'.repeat(201) } }])).rejects.toThrow();
      expect((await branches.getById(north, a.id)).name).toBe('Alpha');
    }
  });
});
