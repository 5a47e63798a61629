import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  isUniqueViolation,
  LibraryScope,
  libraryScope,
  newRowId,
} from '@readerdesk/platform';
import { DepartmentBranchChanged, StaffDirectory } from '@readerdesk/staff';
import { Branch, LibraryDirectory } from '@readerdesk/tenancy';
import { BusinessCalendar } from './business-calendar';
import { type CalendarSource, departmentFallback, type DepartmentFallback } from './calendar-fallback';
import { CalendarDefinition, calendarProblems, Closure, Holiday, WeeklyPeriod } from './calendar-definition';
import { Calendar } from './calendar.entity';
import { CalendarOwner, CalendarRepository } from './calendar.repository';
import { CalendarErrors } from './calendars.errors';
import { importIcs, IcsImportError, ICS_MAX_BYTES } from './ics-import';

export type { CalendarOwner } from './calendar.repository';

/** What applies to a branch or department, and what is stored for it. */
export interface CalendarView {
  /** Whether the owner has a calendar of its own. */
  configured: boolean;
  /**
   * `own`; for a department without hours of its own `branch` (its branch's) or `default-branch` (the
   * library's default branch's: it has no branch, or its branch has no hours); else `always-open`.
   */
  source: CalendarSource;
  /** The branch whose calendar applies when `source` is `branch` or `default-branch`. */
  sourceBranchId: string | null;
  /** The zone the hours are read in (stored, else inherited). */
  timeZone: string;
  /** The stored zone; null follows the branch's. */
  storedTimeZone: string | null;
  weekly: WeeklyPeriod[];
  holidays: Holiday[];
  closures: Closure[];
  updatedAt: Date | null;
  calendar: BusinessCalendar;
}

export interface CalendarInput {
  timeZone?: string | null;
  weekly: readonly WeeklyPeriod[];
  holidays?: readonly Holiday[];
  closures?: readonly Closure[];
}

export interface HolidayImport {
  holidaysAdded: number;
  closuresAdded: number;
  /** Dates the calendar had already (its own name is kept). */
  skipped: number;
  view: CalendarView;
}

/** Calendars are read on every SLA computation; a change elsewhere is seen within this long. */
export const CALENDAR_CACHE_MS = 30_000;

/**
 * Opening hours per branch and per department, and the one answer SLA clocks ask for: the
 * BusinessCalendar of a department (its own, else its branch's, else the library's default branch's,
 * else 24/7 in its branch's, the default branch's or the library's zone; see `departmentFallback`) or of
 * a branch (its own, else 24/7 in its zone). The default branch is the one created first.
 */
@Injectable()
export class CalendarService implements OnModuleInit {
  private readonly cache = new Map<string, { view: CalendarView; expires: number }>();

  constructor(
    private readonly calendars: CalendarRepository,
    private readonly libraries: LibraryDirectory,
    private readonly staff: StaffDirectory,
    private readonly database: DatabaseService,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    // Another branch may mean other hours: nothing cached for the library holds (SLA recomputes after this).
    this.events.subscribe(DepartmentBranchChanged, (e) => this.forget(libraryScope(e.libraryId)));
  }

  async forBranch(scope: LibraryScope, branchId: string): Promise<BusinessCalendar> {
    return (await this.view(scope, { branchId })).calendar;
  }

  async forDepartment(scope: LibraryScope, departmentId: string): Promise<BusinessCalendar> {
    return (await this.view(scope, { departmentId })).calendar;
  }

  /** What applies to the owner; 404 when it is not the library's. */
  async view(scope: LibraryScope, owner: CalendarOwner): Promise<CalendarView> {
    const key = this.keyOf(scope, owner);
    const cached = this.cache.get(key);
    // The injected clock, not Date.now(): a test that moves the clock moves the expiry with it.
    const now = this.clock.now().getTime();
    if (cached && cached.expires > now) return cached.view;
    const view = await this.load(scope, owner);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { view, expires: now + CALENDAR_CACHE_MS });
    return view;
  }

  /** Stores the owner's calendar whole (creating it), after checking every period, holiday and closure. */
  async replace(scope: LibraryScope, owner: CalendarOwner, input: CalendarInput): Promise<CalendarView> {
    const inherited = await this.inheritedZone(scope, owner);
    const fields = {
      timeZone: input.timeZone ?? null,
      weekly: input.weekly.map((p) => ({ day: p.day, start: p.start, end: p.end })),
      holidays: (input.holidays ?? []).map((h) => ({ date: h.date, name: h.name.trim() })),
      closures: (input.closures ?? []).map((c) => ({ start: c.start, end: c.end, name: c.name ?? null })),
    };
    this.check({ ...fields, timeZone: fields.timeZone ?? inherited });
    await this.database.transaction(async () => {
      const existing = await this.calendars.ofOwner(scope, owner);
      if (existing) {
        await this.calendars.update(scope, existing.id, fields);
        return;
      }
      try {
        await this.calendars.insert(scope, this.newRow(scope, owner, fields));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Another request created it meanwhile: this one is the later write.
        const winner = await this.calendars.ofOwner(scope, owner);
        if (!winner) throw error;
        await this.calendars.update(scope, winner.id, fields);
      }
    });
    this.forget(scope);
    return this.view(scope, owner);
  }

  /** Removes the owner's own calendar (a branch is then open 24/7, a department follows its branch, else the default branch). */
  async remove(scope: LibraryScope, owner: CalendarOwner): Promise<CalendarView> {
    await this.assertOwner(scope, owner);
    const existing = await this.calendars.ofOwner(scope, owner);
    if (existing) await this.calendars.delete(scope, existing.id);
    this.forget(scope);
    return this.view(scope, owner);
  }

  /**
   * Adds the holidays and closures of an iCalendar file to the owner's calendar: dates it has already
   * keep their name, closures it has already are not doubled. Refused until the calendar has hours
   * of its own (an import alone would close the desk for good).
   */
  async importHolidays(scope: LibraryScope, owner: CalendarOwner, text: string): Promise<HolidayImport> {
    await this.assertOwner(scope, owner);
    let imported: ReturnType<typeof importIcs>;
    try {
      imported = importIcs(text, this.clock.now());
    } catch (error) {
      if (!(error instanceof IcsImportError)) throw error;
      throw new DomainError(
        error.tooLarge ? CalendarErrors.icsTooLarge : CalendarErrors.invalidIcs,
        `${error.field}: ${error.message}`,
        { errors: [{ field: error.field, message: error.message }] },
      );
    }
    const outcome = { holidaysAdded: 0, closuresAdded: 0, skipped: 0 };
    await this.database.transaction(async () => {
      const existing = await this.calendars.ofOwner(scope, owner);
      if (!existing)
        throw new DomainError(
          CalendarErrors.calendarNotConfigured,
          'This calendar has no opening hours of its own yet: set them (PUT …/calendar) before importing holidays',
        );
      const dates = new Set(existing.holidays.map((h) => h.date));
      const holidays = [...existing.holidays];
      for (const holiday of imported.holidays) {
        if (dates.has(holiday.date)) outcome.skipped++;
        else {
          dates.add(holiday.date);
          holidays.push(holiday);
          outcome.holidaysAdded++;
        }
      }
      const known = new Set(existing.closures.map((c) => `${c.start}|${c.end}`));
      const closures = [...existing.closures];
      for (const closure of imported.closures) {
        if (known.has(`${closure.start}|${closure.end}`)) outcome.skipped++;
        else {
          known.add(`${closure.start}|${closure.end}`);
          closures.push({ ...closure, name: closure.name ?? null });
          outcome.closuresAdded++;
        }
      }
      const timeZone = existing.timeZone ?? (await this.inheritedZone(scope, owner));
      this.check({ timeZone, weekly: existing.weekly, holidays, closures });
      await this.calendars.update(scope, existing.id, { holidays, closures });
    });
    this.forget(scope);
    return { ...outcome, view: await this.view(scope, owner) };
  }

  /** Bytes of the largest `.ics` upload read. */
  get icsMaxBytes(): number {
    return ICS_MAX_BYTES;
  }

  private check(definition: CalendarDefinition): void {
    const problems = calendarProblems(definition);
    if (problems.length > 0)
      throw new DomainError(CalendarErrors.invalidCalendar, problems.map((p) => p.message).join('; '), {
        errors: problems,
      });
  }

  private newRow(scope: LibraryScope, owner: CalendarOwner, fields: Partial<Calendar>): Calendar {
    return {
      id: newRowId(),
      libraryId: scope.libraryId,
      branchId: 'branchId' in owner ? owner.branchId : null,
      departmentId: 'departmentId' in owner ? owner.departmentId : null,
      ...fields,
    } as Calendar;
  }

  private keyOf(scope: LibraryScope, owner: CalendarOwner): string {
    return 'branchId' in owner
      ? `${scope.libraryId}:branch:${owner.branchId}`
      : `${scope.libraryId}:department:${owner.departmentId}`;
  }

  /** A change to one calendar may change what applies to every department of the library. */
  private forget(scope: LibraryScope): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${scope.libraryId}:`)) this.cache.delete(key);
  }

  private async assertOwner(scope: LibraryScope, owner: CalendarOwner): Promise<void> {
    if ('branchId' in owner) await this.libraries.branch(scope, owner.branchId);
    else await this.staff.assertDepartmentsExist(scope, [owner.departmentId]);
  }

  /** The zone a calendar without one of its own is read in; checks that the owner is the library's. */
  private async inheritedZone(scope: LibraryScope, owner: CalendarOwner): Promise<string> {
    if ('branchId' in owner) return (await this.libraries.branch(scope, owner.branchId)).timeZone;
    return (await this.fallbackOf(scope, owner.departmentId)).zone;
  }

  /** The department's branch and the default branch, to try in order; 404 when the department is not the library's. */
  private async fallbackOf(scope: LibraryScope, departmentId: string): Promise<DepartmentFallback<Branch>> {
    const department = await this.staff.department(scope, departmentId);
    const [branch, defaultBranch] = await Promise.all([
      department.branchId ? this.libraries.findBranch(scope, department.branchId) : null,
      this.libraries.defaultBranch(scope),
    ]);
    return departmentFallback(branch, defaultBranch, await this.libraryZone(scope));
  }

  private async libraryZone(scope: LibraryScope): Promise<string> {
    return (await this.libraries.findById(scope.libraryId))?.timeZone ?? 'UTC';
  }

  private async load(scope: LibraryScope, owner: CalendarOwner): Promise<CalendarView> {
    const fallback =
      'departmentId' in owner
        ? await this.fallbackOf(scope, owner.departmentId)
        : { zone: (await this.libraries.branch(scope, owner.branchId)).timeZone, branches: [] };
    const inherited = fallback.zone;
    const own = await this.calendars.ofOwner(scope, owner);
    if (own) return this.viewOf(own, 'own', null, inherited, true);
    for (const { branch, source } of fallback.branches) {
      const branchCalendar = await this.calendars.ofOwner(scope, { branchId: branch.id });
      if (branchCalendar) return this.viewOf(branchCalendar, source, branch.id, branch.timeZone, false);
    }
    return {
      configured: false,
      source: 'always-open',
      sourceBranchId: null,
      timeZone: inherited,
      storedTimeZone: null,
      weekly: [],
      holidays: [],
      closures: [],
      updatedAt: null,
      calendar: BusinessCalendar.alwaysOpen(inherited),
    };
  }

  private viewOf(
    row: Calendar,
    source: CalendarSource,
    sourceBranchId: string | null,
    inherited: string,
    configured: boolean,
  ): CalendarView {
    const timeZone = row.timeZone ?? inherited;
    return {
      configured,
      source,
      sourceBranchId,
      timeZone,
      storedTimeZone: row.timeZone,
      weekly: row.weekly,
      holidays: row.holidays,
      closures: row.closures,
      updatedAt: row.updatedAt,
      calendar: new BusinessCalendar({ timeZone, weekly: row.weekly, holidays: row.holidays, closures: row.closures }),
    };
  }
}
