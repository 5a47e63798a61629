import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DatabaseService, Environment, libraryScope, LibraryScope, newRowId } from '@readerdesk/platform';
import { IdentityService, ReaderService } from '@readerdesk/readers';
import { Agent, AgentRepository, Department, DepartmentRepository, PasswordHasher } from '@readerdesk/staff';
import { Branch, BranchRepository, Library, LibraryRepository } from '@readerdesk/tenancy';
import { DEMO, DEMO_ADMIN, DEMO_AGENT_PASSWORD } from './demo-library';

/**
 * First-start data: the demo library (on by default for SQLite) and the first administrator
 * (DESK_ADMIN_EMAIL / DESK_ADMIN_PASSWORD; the demo values outside production). Runs after the
 * migrations, in one transaction, and does nothing once its rows exist.
 */
@Injectable()
export class SeedService implements OnModuleInit {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly env: Environment,
    private readonly database: DatabaseService,
    private readonly libraries: LibraryRepository,
    private readonly branches: BranchRepository,
    private readonly departments: DepartmentRepository,
    private readonly agents: AgentRepository,
    private readonly readers: ReaderService,
    private readonly identity: IdentityService,
    private readonly hasher: PasswordHasher,
  ) {}

  onModuleInit(): void {
    this.database.registerBootstrap('seed', () => this.seed());
  }

  get seedDemo(): boolean {
    return this.env.DESK_SEED_DEMO ?? !this.env.DATABASE_URL;
  }

  async seed(): Promise<void> {
    let library: Library | null = null;
    if (this.seedDemo) library = await this.seedDemoLibrary();
    await this.seedFirstAdministrator(library);
  }

  private async seedDemoLibrary(): Promise<Library> {
    const existing = await this.libraries.findBySlug(DEMO.library.slug);
    if (existing) return existing;
    const library = await this.libraries.insert({ id: newRowId(), ...DEMO.library } as Library);
    const scope = libraryScope(library.id);
    const branches = await this.branches.insert(
      scope,
      ...DEMO.branches.map((b) => ({ id: newRowId(), libraryId: library.id, ...b }) as Branch),
    );
    const departments = await this.departments.insert(
      scope,
      ...DEMO.departments.map((d) => ({ id: newRowId(), libraryId: library.id, ...d }) as Department),
    );
    const byCode = new Map(departments.map((d) => [d.code, d.id]));
    const passwordHash = await this.hasher.hash(DEMO_AGENT_PASSWORD);
    for (const demo of DEMO.agents) {
      const [agent] = await this.agents.insert(scope, {
        id: newRowId(),
        libraryId: library.id,
        email: demo.email,
        displayName: demo.displayName,
        role: demo.role,
        passwordHash,
        active: true,
        lastLoginAt: null,
      } as Agent);
      await this.agents.addToDepartments(
        scope,
        agent.id,
        demo.departments.map((code) => byCode.get(code) as string),
      );
    }
    const branchByCode = new Map(branches.map((b) => [b.code, b.id]));
    for (const r of DEMO.readers) {
      const { reader } = await this.identity.resolve(scope, {
        displayName: r.displayName,
        preferredLanguage: r.preferredLanguage,
        handles: [
          { kind: 'card', value: r.cardNumber },
          { kind: 'email', value: r.email },
          { kind: 'phone', value: r.phone },
        ],
      });
      await this.readers.updateDetails(scope, reader.id, {
        category: r.category,
        homeBranchId: branchByCode.get(r.branch) ?? null,
        keepHistory: r.keepHistory,
      });
    }
    this.logger.log(`seeded the demo library "${library.name}" (/${library.slug})`);
    return library;
  }

  private async seedFirstAdministrator(demoLibrary: Library | null): Promise<void> {
    const production = this.env.NODE_ENV === 'production';
    const email = (this.env.DESK_ADMIN_EMAIL ?? (production ? undefined : DEMO_ADMIN.email))?.toLowerCase();
    const password = this.env.DESK_ADMIN_PASSWORD ?? (production ? undefined : DEMO_ADMIN.password);
    if (!email || !password) return;
    if (await this.agents.findForSignIn(email)) return;
    const library = demoLibrary ?? (await this.firstLibrary());
    const scope: LibraryScope = libraryScope(library.id);
    const [admin] = await this.agents.insert(scope, {
      id: newRowId(),
      libraryId: library.id,
      email,
      displayName: DEMO_ADMIN.displayName,
      role: 'administrator',
      passwordHash: await this.hasher.hash(password),
      active: true,
      lastLoginAt: null,
    } as Agent);
    const departments = await this.departments.find(scope);
    await this.agents.addToDepartments(
      scope,
      admin.id,
      departments.map((d) => d.id),
    );
    this.logger.log(`created the first administrator ${email} in "${library.name}"`);
  }

  /** Outside the demo the first administrator gets the first library, created if there is none yet. */
  private async firstLibrary(): Promise<Library> {
    const existing = await this.libraries.first();
    if (existing) return existing;
    return this.libraries.insert({
      id: newRowId(),
      slug: 'main',
      name: 'My Library',
      defaultCountry: 'US',
      defaultLanguage: 'en',
      timeZone: 'UTC',
      keepHistoryByDefault: false,
    } as Library);
  }
}
