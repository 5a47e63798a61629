import { Conversation, Inbox, Message, NO_SLA } from '@readerdesk/conversations';
import { DatabaseService, libraryScope, LibraryScope, newRowId } from '@readerdesk/platform';
import { HandleKind, normaliseHandle, Reader, ReaderHandle } from '@readerdesk/readers';
import { Agent, AgentRole, Department, PasswordHasher } from '@readerdesk/staff';
import { Branch, Library } from '@readerdesk/tenancy';
import { randomUUID } from 'node:crypto';
// Test support writes rows through the libraries' own repositories, which they keep to themselves
// (eslint.config.mjs lets libs/testing reach them).
import { ConversationRepository } from '../../conversations/src/conversation.repository';
import { InboxRepository } from '../../conversations/src/inbox.repository';
import { MessageRepository } from '../../conversations/src/message.repository';
import { ReaderHandleRepository } from '../../readers/src/reader-handle.repository';
import { ReaderRepository } from '../../readers/src/reader.repository';
import { AgentRepository } from '../../staff/src/agent.repository';
import { DepartmentRepository } from '../../staff/src/department.repository';
import { BranchRepository } from '../../tenancy/src/branch.repository';
import { LibraryRepository } from '../../tenancy/src/library.repository';

/**
 * Test data for every tier. `build.*` gives complete, correctly typed entities (unit tests, or rows
 * to insert by hand); `TestData` writes them through the real repositories, so int and e2e tests get
 * rows exactly as the desk stores them. Unique columns (slugs, emails, addresses, codes) get a fresh
 * suffix, so any number of calls can share one database.
 */

/** A library, or its id, or its scope: whatever the test has at hand. */
export type LibraryRef = string | Pick<Library, 'id'> | LibraryScope;

function libraryIdOf(ref: LibraryRef): string {
  if (typeof ref === 'string') return ref;
  return 'id' in ref ? ref.id : ref.libraryId;
}

/** Short and unique enough for slugs, codes and email local parts. */
export function uniqueSuffix(): string {
  return randomUUID().replace(/-/g, '').slice(0, 10);
}

export interface HandleSpec {
  kind: HandleKind;
  value: string;
}

export const build = {
  library(overrides: Partial<Library> = {}): Library {
    const slug = overrides.slug ?? `lib-${uniqueSuffix()}`;
    const now = new Date();
    return {
      id: newRowId(),
      slug,
      name: `Library ${slug}`,
      defaultCountry: 'US',
      defaultLanguage: 'en',
      timeZone: 'UTC',
      keepHistoryByDefault: false,
      allowedOrigins: [],
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  },

  branch(library: LibraryRef, overrides: Partial<Branch> = {}): Branch {
    const code = overrides.code ?? `b${uniqueSuffix()}`;
    return {
      id: newRowId(),
      libraryId: libraryIdOf(library),
      code,
      name: `Branch ${code}`,
      timeZone: 'UTC',
      address: null,
      createdAt: new Date(),
      ...overrides,
    };
  },

  department(library: LibraryRef, overrides: Partial<Department> = {}): Department {
    const code = overrides.code ?? `d${uniqueSuffix()}`;
    return {
      id: newRowId(),
      libraryId: libraryIdOf(library),
      code,
      name: `Department ${code}`,
      description: null,
      branchId: null,
      createdAt: new Date(),
      ...overrides,
    };
  },

  /** An agent without a password (`TestData.agent` hashes one); role `agent` unless told. */
  agent(library: LibraryRef, overrides: Partial<Agent> = {}): Agent {
    const now = new Date();
    const email = (overrides.email ?? `agent-${uniqueSuffix()}@staff.example.org`).trim().toLowerCase();
    return {
      id: newRowId(),
      libraryId: libraryIdOf(library),
      email,
      displayName: `Agent ${email.split('@')[0]}`,
      role: 'agent',
      passwordHash: null,
      active: true,
      presence: 'offline',
      presenceChangedAt: null,
      capacity: {},
      skills: {},
      failedLogins: 0,
      lockedUntil: null,
      tokenVersion: 0,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
      ...overrides,
      ...(overrides.email === undefined ? {} : { email }),
    };
  },

  reader(library: LibraryRef, overrides: Partial<Reader> = {}): Reader {
    const now = new Date();
    return {
      id: newRowId(),
      libraryId: libraryIdOf(library),
      displayName: null,
      preferredLanguage: null,
      cardNumber: null,
      ilsId: null,
      category: null,
      homeBranchId: null,
      keepHistory: false,
      mergedIntoId: null,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  },

  /** A handle of `reader`, normalised as identity resolution stores it. */
  handle(reader: Pick<Reader, 'id' | 'libraryId'>, spec: HandleSpec, defaultCountry = 'US'): ReaderHandle {
    const normalised = normaliseHandle(spec.kind, spec.value, defaultCountry);
    return {
      id: newRowId(),
      libraryId: reader.libraryId,
      readerId: reader.id,
      kind: normalised.kind,
      value: normalised.value,
      raw: normalised.raw,
      valid: normalised.valid,
      createdAt: new Date(),
    };
  },

  inbox(library: LibraryRef, overrides: Partial<Inbox> = {}): Inbox {
    const channel = overrides.channel ?? 'api';
    return {
      id: newRowId(),
      libraryId: libraryIdOf(library),
      channel,
      name: `Inbox ${uniqueSuffix()}`,
      defaultDepartmentId: null,
      address: channel === 'email' ? `desk-${uniqueSuffix()}@library.example.org` : null,
      settings: {},
      secrets: null,
      createdAt: new Date(),
      ...overrides,
    };
  },

  /** A new conversation of `reader` on `inbox`; its number is 1 unless told (TestData allocates one). */
  conversation(
    on: { reader: Pick<Reader, 'id'>; inbox: Pick<Inbox, 'id' | 'libraryId' | 'channel' | 'defaultDepartmentId'> },
    overrides: Partial<Conversation> = {},
  ): Conversation {
    const now = new Date();
    return {
      id: newRowId(),
      libraryId: on.inbox.libraryId,
      number: 1,
      readerId: on.reader.id,
      inboxId: on.inbox.id,
      channel: on.inbox.channel,
      departmentId: on.inbox.defaultDepartmentId,
      assigneeId: null,
      status: 'new',
      priority: 'normal',
      subject: null,
      tags: [],
      snoozedUntil: null,
      readLevel: null,
      questionType: null,
      routingRuleId: null,
      requiredSkills: null,
      firstResponseAt: null,
      ...NO_SLA,
      waitingSince: now,
      queuedAt: now,
      resolvedAt: null,
      lastMessageAt: now,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  },

  /** An inbound message on `conversation` with an external id of its own, unless told otherwise. */
  message(
    conversation: Pick<Conversation, 'id' | 'libraryId' | 'inboxId' | 'subject'>,
    overrides: Partial<Message> = {},
  ): Message {
    return {
      id: newRowId(),
      libraryId: conversation.libraryId,
      conversationId: conversation.id,
      inboxId: conversation.inboxId,
      kind: 'inbound',
      externalId: `test-${uniqueSuffix()}`,
      authorAgentId: null,
      subject: conversation.subject,
      text: 'A question for the library',
      html: null,
      rawHtml: null,
      deliveryStatus: null,
      data: {},
      createdAt: new Date(),
      ...overrides,
    };
  },
};

export interface AgentSpec extends Partial<Agent> {
  /** Hashed as the desk hashes passwords (argon2id); without one the account cannot sign in. */
  password?: string;
  role?: AgentRole;
  /** Departments (or their ids) the agent works in. */
  departments?: Array<string | Pick<Department, 'id'>>;
}

/**
 * Persisted test data, written through the desk's own repositories on `database` (a test
 * database's, or a running test app's: `new TestData(desk.database)`).
 */
export class TestData {
  readonly libraries: LibraryRepository;
  readonly branches: BranchRepository;
  readonly departments: DepartmentRepository;
  readonly agents: AgentRepository;
  readonly readers: ReaderRepository;
  readonly handles: ReaderHandleRepository;
  readonly inboxes: InboxRepository;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  private readonly hasher = new PasswordHasher();

  constructor(private readonly database: DatabaseService) {
    this.libraries = new LibraryRepository(database);
    this.branches = new BranchRepository(database);
    this.departments = new DepartmentRepository(database);
    this.agents = new AgentRepository(database);
    this.readers = new ReaderRepository(database);
    this.handles = new ReaderHandleRepository(database);
    this.inboxes = new InboxRepository(database);
    this.conversations = new ConversationRepository(database);
    this.messages = new MessageRepository(database);
  }

  library(overrides: Partial<Library> = {}): Promise<Library> {
    return this.database.transaction(() => this.libraries.insert(build.library(overrides)));
  }

  async branch(library: LibraryRef, overrides: Partial<Branch> = {}): Promise<Branch> {
    const [row] = await this.database.transaction(() =>
      this.branches.insert(scopeOf(library), build.branch(library, overrides)),
    );
    return row;
  }

  async department(library: LibraryRef, overrides: Partial<Department> = {}): Promise<Department> {
    const [row] = await this.database.transaction(() =>
      this.departments.insert(scopeOf(library), build.department(library, overrides)),
    );
    return row;
  }

  async agent(library: LibraryRef, spec: AgentSpec = {}): Promise<Agent> {
    const { password, departments = [], ...overrides } = spec;
    const passwordHash = password === undefined ? (overrides.passwordHash ?? null) : await this.hasher.hash(password);
    const scope = scopeOf(library);
    return this.database.transaction(async () => {
      const [row] = await this.agents.insert(scope, build.agent(library, { ...overrides, passwordHash }));
      await this.agents.addToDepartments(
        scope,
        row.id,
        departments.map((d) => (typeof d === 'string' ? d : d.id)),
      );
      return row;
    });
  }

  async reader(
    library: LibraryRef,
    spec: Partial<Reader> & { handles?: HandleSpec[]; defaultCountry?: string } = {},
  ): Promise<{ reader: Reader; handles: ReaderHandle[] }> {
    const { handles = [], defaultCountry, ...overrides } = spec;
    const scope = scopeOf(library);
    return this.database.transaction(async () => {
      const [reader] = await this.readers.insert(scope, build.reader(library, overrides));
      const rows = handles.map((h) => build.handle(reader, h, defaultCountry));
      return { reader, handles: rows.length > 0 ? await this.handles.insert(scope, ...rows) : [] };
    });
  }

  async inbox(library: LibraryRef, overrides: Partial<Inbox> = {}): Promise<Inbox> {
    const [row] = await this.database.transaction(() =>
      this.inboxes.insert(scopeOf(library), build.inbox(library, overrides)),
    );
    return row;
  }

  /** A conversation numbered from the library's counter, as the desk numbers them. */
  async conversation(
    on: Parameters<typeof build.conversation>[0],
    overrides: Partial<Conversation> = {},
  ): Promise<Conversation> {
    const scope = libraryScope(on.inbox.libraryId);
    const number = overrides.number ?? (await this.conversations.allocateNumbers(scope));
    const [row] = await this.database.transaction(() =>
      this.conversations.insert(scope, build.conversation(on, { ...overrides, number })),
    );
    return row;
  }

  async message(conversation: Parameters<typeof build.message>[0], overrides: Partial<Message> = {}): Promise<Message> {
    const [row] = await this.database.transaction(() =>
      this.messages.insert(libraryScope(conversation.libraryId), build.message(conversation, overrides)),
    );
    return row;
  }
}

function scopeOf(library: LibraryRef): LibraryScope {
  return libraryScope(libraryIdOf(library));
}
