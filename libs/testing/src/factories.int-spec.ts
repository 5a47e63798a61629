import { DatabaseService, libraryScope } from '@readerdesk/platform';
import { PasswordHasher } from '@readerdesk/staff';
import { connectTestDatabase, describeWithDatabase } from './test-database';
import { build, TestData } from './factories';

describe('build (plain entities for unit tests)', () => {
  it('gives complete rows of one library, unique where the schema says unique', () => {
    const library = build.library();
    const [a, b] = [build.agent(library), build.agent(library, { email: ' Lena@Example.ORG ', role: 'supervisor' })];
    expect(a).toMatchObject({ libraryId: library.id, role: 'agent', active: true, failedLogins: 0 });
    expect(b).toMatchObject({ email: 'lena@example.org', role: 'supervisor' });
    expect(build.library().slug).not.toBe(library.slug);
    expect(build.inbox(library, { channel: 'email' }).address).toMatch(/@/);
    expect(build.inbox(library).address).toBeNull();
  });

  it('normalises handles as identity resolution does, and threads conversations and messages together', () => {
    const reader = build.reader(build.library());
    expect(build.handle(reader, { kind: 'email', value: 'Maria <Maria@Example.org>' })).toMatchObject({
      readerId: reader.id,
      value: 'maria@example.org',
      valid: true,
    });
    const inbox = build.inbox(reader.libraryId, { defaultDepartmentId: 'dept-1' });
    const conversation = build.conversation({ reader, inbox }, { subject: 'Herald 1925' });
    expect(conversation).toMatchObject({ readerId: reader.id, inboxId: inbox.id, departmentId: 'dept-1' });
    expect(build.message(conversation)).toMatchObject({
      conversationId: conversation.id,
      inboxId: inbox.id,
      subject: 'Herald 1925',
      kind: 'inbound',
    });
  });
});

describeWithDatabase('TestData (rows through the repositories)', () => {
  let database: DatabaseService;
  let drop: () => Promise<void>;
  let data: TestData;

  beforeAll(async () => {
    ({ database, drop } = await connectTestDatabase());
    data = new TestData(database);
  });
  afterAll(async () => drop?.());

  it('stores an agent with a password hashed as the desk hashes it, and its departments', async () => {
    const library = await data.library();
    const [reference, circulation] = [await data.department(library), await data.department(library)];
    const agent = await data.agent(library, { password: 's3cret', departments: [reference, circulation.id] });
    const stored = await data.agents.getById(libraryScope(library.id), agent.id);
    expect(await new PasswordHasher().verify(stored.passwordHash!, 's3cret')).toBe(true);
    expect((await data.agents.departmentIds(libraryScope(library.id), agent.id)).sort()).toEqual(
      [reference.id, circulation.id].sort(),
    );
  });

  it("stores readers with their handles, and numbers a library's conversations one after the other", async () => {
    const library = await data.library();
    const { reader, handles } = await data.reader(library, { handles: [{ kind: 'card', value: '2100 0042' }] });
    expect(await data.handles.find(libraryScope(library.id), { readerId: reader.id })).toEqual([
      expect.objectContaining({ id: handles[0].id, value: '21000042' }),
    ]);
    const inbox = await data.inbox(library);
    const first = await data.conversation({ reader, inbox });
    const second = await data.conversation({ reader, inbox });
    expect(second.number).toBe(first.number + 1);
    const message = await data.message(second, { text: 'Still there?' });
    expect((await data.messages.getById(libraryScope(library.id), message.id)).text).toBe('Still there?');
  });
});
