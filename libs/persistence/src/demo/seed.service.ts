import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DatabaseService, Environment, libraryScope, LibraryScope } from '@readerdesk/platform';
import { CalendarService } from '@readerdesk/calendars';
import { IdentityService, ReaderService } from '@readerdesk/readers';
import { RoutingRulesService } from '@readerdesk/routing';
import { PasswordHasher, StaffAdminService, StaffDirectory } from '@readerdesk/staff';
import { Library, LibraryAdminService, LibraryDirectory } from '@readerdesk/tenancy';
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
    private readonly libraries: LibraryDirectory,
    private readonly libraryAdmin: LibraryAdminService,
    private readonly staff: StaffDirectory,
    private readonly staffAdmin: StaffAdminService,
    private readonly readers: ReaderService,
    private readonly identity: IdentityService,
    private readonly hasher: PasswordHasher,
    private readonly calendars: CalendarService,
    private readonly routing: RoutingRulesService,
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
    const library = await this.libraryAdmin.createLibrary(DEMO.library);
    const scope = libraryScope(library.id);
    const branches = await this.libraryAdmin.createBranches(scope, DEMO.branches);
    for (const branch of branches) {
      const hours = DEMO.calendars[branch.code as keyof typeof DEMO.calendars];
      if (hours) await this.calendars.replace(scope, { branchId: branch.id }, { ...hours, holidays: DEMO.holidays });
    }
    const branchByCode = new Map(branches.map((b) => [b.code, b.id]));
    // A library with one branch needs to say nothing: its departments follow the default branch anyway.
    const departments = await this.staffAdmin.createDepartments(
      scope,
      DEMO.departments.map(({ branch, ...fields }) => ({
        ...fields,
        branchId: branches.length > 1 ? (branchByCode.get(branch) ?? null) : null,
      })),
    );
    const byCode = new Map(departments.map((d) => [d.code, d.id]));
    // One hash for every demo agent: they share the demo password.
    const passwordHash = await this.hasher.hash(DEMO_AGENT_PASSWORD);
    for (const demo of DEMO.agents) {
      await this.staffAdmin.createAgentWithPasswordHash(scope, {
        email: demo.email,
        displayName: demo.displayName,
        role: demo.role,
        passwordHash,
        departmentIds: demo.departments.map((code) => byCode.get(code) as string),
      });
    }
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
    for (const rule of DEMO.routingRules) {
      await this.routing.create(scope, {
        name: rule.name,
        conditions: [{ field: 'keywords', op: 'anyOf', values: [...rule.keywords] }],
        actions: { departmentId: byCode.get(rule.department), tags: [...rule.tags] },
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
    if (await this.staffAdmin.findAgentByEmail(email)) return;
    const library = demoLibrary ?? (await this.firstLibrary());
    const scope: LibraryScope = libraryScope(library.id);
    await this.staffAdmin.createAgentWithPasswordHash(scope, {
      email,
      displayName: DEMO_ADMIN.displayName,
      role: 'administrator',
      passwordHash: await this.hasher.hash(password),
      departmentIds: (await this.staff.listDepartments(scope)).map((d) => d.id),
    });
    this.logger.log(`created the first administrator ${email} in "${library.name}"`);
  }

  /** Outside the demo the first administrator gets the first library, created if there is none yet. */
  private async firstLibrary(): Promise<Library> {
    const existing = await this.libraries.first();
    if (existing) return existing;
    return this.libraryAdmin.createLibrary({
      slug: 'main',
      name: 'My Library',
      defaultCountry: 'US',
      defaultLanguage: 'en',
      timeZone: 'UTC',
      keepHistoryByDefault: false,
    });
  }
}
