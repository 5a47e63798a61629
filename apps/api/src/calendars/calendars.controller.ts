import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CalendarErrors, CalendarOwner, CalendarService, type CalendarView } from '@readerdesk/calendars';
import { ApiProblems, Clock, DomainError, LibraryScope, type Problem } from '@readerdesk/platform';
import { CurrentStaff, RequireRole, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import type { Request } from 'express';
import { ApiErrors } from '../api.errors';
import {
  BusinessTimeDto,
  BusinessTimeQuery,
  CalendarBodyDto,
  CalendarDto,
  HolidayImportDto,
  NextOpeningDto,
  NextOpeningQuery,
  OpenDto,
  OpenQuery,
} from './calendars.dto';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** Longest range business time is computed over (the engine walks it day by day). */
const MAX_RANGE_MS = 10 * 366 * 86_400_000;
const ICS_TYPES = new Set(['text/calendar', 'text/plain', 'application/octet-stream', 'application/ics']);

/** An instant of the query: an ISO 8601 date-time with its offset, so that no zone is guessed. */
function instant(name: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const at = new Date(value);
  if (!INSTANT.test(value) || Number.isNaN(at.getTime()))
    throw new DomainError(
      ApiErrors.invalidDate,
      `${name} must be an ISO 8601 date-time with its offset, such as 2026-12-07T15:00:00Z: ${value}`,
    );
  return at;
}

function calendarDto(owner: CalendarOwner, view: CalendarView): CalendarDto {
  return {
    branchId: 'branchId' in owner ? owner.branchId : null,
    departmentId: 'departmentId' in owner ? owner.departmentId : null,
    configured: view.configured,
    source: view.source,
    sourceBranchId: view.sourceBranchId,
    timeZone: view.timeZone,
    storedTimeZone: view.storedTimeZone,
    weekly: view.weekly,
    holidays: view.holidays,
    closures: view.closures.map((c) => ({ start: c.start, end: c.end, name: c.name ?? null })),
    updatedAt: view.updatedAt,
  };
}

/** Reads an upload's bytes, refusing (413) past `max` before reading when Content-Length says so, and while reading otherwise. */
async function readUpload(req: Request, max: number): Promise<string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!ICS_TYPES.has(type) || req.readableEnded)
    throw new DomainError(
      ApiErrors.unsupportedMediaType,
      'The body is the .ics file itself, sent as text/calendar (or application/octet-stream)',
    );
  const tooLarge = () =>
    new DomainError(CalendarErrors.icsTooLarge, `file: the .ics file is larger than ${max} bytes`, {
      errors: [{ field: 'file', message: `The .ics file is larger than ${max} bytes` }],
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The routes of one kind of owner; the two controllers below only say which. */
class CalendarEndpoints {
  constructor(
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  async get(scope: LibraryScope, owner: CalendarOwner): Promise<CalendarDto> {
    return calendarDto(owner, await this.calendars.view(scope, owner));
  }

  async replace(scope: LibraryScope, owner: CalendarOwner, body: CalendarBodyDto): Promise<CalendarDto> {
    return calendarDto(owner, await this.calendars.replace(scope, owner, body));
  }

  async remove(scope: LibraryScope, owner: CalendarOwner): Promise<CalendarDto> {
    return calendarDto(owner, await this.calendars.remove(scope, owner));
  }

  async importHolidays(scope: LibraryScope, owner: CalendarOwner, req: Request): Promise<HolidayImportDto> {
    const text = await readUpload(req, this.calendars.icsMaxBytes);
    const outcome = await this.calendars.importHolidays(scope, owner, text);
    return {
      holidaysAdded: outcome.holidaysAdded,
      closuresAdded: outcome.closuresAdded,
      skipped: outcome.skipped,
      calendar: calendarDto(owner, outcome.view),
    };
  }

  async open(scope: LibraryScope, owner: CalendarOwner, query: OpenQuery): Promise<OpenDto> {
    const at = instant('at', query.at, this.clock.now());
    const view = await this.calendars.view(scope, owner);
    return {
      at,
      open: view.calendar.isOpenAt(at),
      nextOpening: view.calendar.nextOpening(at),
      nextClosing: view.calendar.nextClosing(at),
      timeZone: view.timeZone,
      source: view.source,
    };
  }

  async nextOpening(scope: LibraryScope, owner: CalendarOwner, query: NextOpeningQuery): Promise<NextOpeningDto> {
    const after = instant('after', query.after, this.clock.now());
    const view = await this.calendars.view(scope, owner);
    return { after, nextOpening: view.calendar.nextOpening(after) };
  }

  async businessTime(scope: LibraryScope, owner: CalendarOwner, query: BusinessTimeQuery): Promise<BusinessTimeDto> {
    const now = this.clock.now();
    const from = instant('from', query.from, now);
    const to = instant('to', query.to, now);
    if (to < from) throw new DomainError(ApiErrors.invalidDateRange, 'to must not be before from');
    if (to.getTime() - from.getTime() > MAX_RANGE_MS)
      throw new DomainError(ApiErrors.invalidDateRange, 'from and to may be at most ten years apart');
    const view = await this.calendars.view(scope, owner);
    const millis = view.calendar.businessMillisBetween(from, to);
    return { from, to, businessMillis: millis, businessMinutes: millis / 60_000 };
  }
}

const READ_PROBLEMS: Problem[] = [401, 403];
const CALENDAR_400: Problem = [
  400,
  'A period, holiday, closure or zone that cannot be used (`invalid_calendar`, each field named in `errors`) or a malformed body',
];
const IMPORT_400: Problem = [
  400,
  'Not an iCalendar file, or one that expands into too much (`invalid_ics`, `errors` names the event)',
];
const IMPORT_409: Problem = [409, 'The calendar has no opening hours of its own yet (`calendar_not_configured`)'];
const IMPORT_413: Problem = [413, 'The file is larger than 1 MB (`ics_too_large`)'];
const IMPORT_415: Problem = [415, 'The body is not sent as text/calendar (`unsupported_media_type`)'];
const QUERY_400: Problem = [
  400,
  'An instant without its offset, or `to` before `from` (`invalid_date`, `invalid_date_range`)',
];
const ICS_BODY = { schema: { type: 'string', example: 'BEGIN:VCALENDAR…' } };

/**
 * Opening hours of a branch: its own calendar, else open 24/7 in the branch's zone. Staff read them;
 * administrators change them. Another library's branch answers 404.
 */
@ApiTags('opening hours')
@ApiBearerAuth()
@Controller('branches/:id/calendar')
export class BranchCalendarController {
  private readonly endpoints: CalendarEndpoints;

  constructor(calendars: CalendarService, clock: Clock) {
    this.endpoints = new CalendarEndpoints(calendars, clock);
  }

  @Get()
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "A branch's opening hours",
    description: 'Weekly periods, holidays and closures in the branch’s zone; `configured: false` means open 24/7.',
  })
  @ApiProblems(...READ_PROBLEMS, [404, 'No such branch in the caller’s library'])
  get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<CalendarDto> {
    return this.endpoints.get(scopeOf(me), { branchId: id });
  }

  @Put()
  @RequireRole('administrator')
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "Set a branch's opening hours",
    description:
      'Administrators only. Replaces the calendar whole: weekly periods (several a day; none crosses midnight — ' +
      'write 22:00–24:00 and 00:00–02:00), holidays (YYYY-MM-DD or yearly MM-DD) and closures (instants, local ' +
      'date-times or local dates). Overlapping or inverted periods, an unknown zone or a duplicate date answer 400.',
  })
  @ApiProblems(CALENDAR_400, 401, 403, [404, 'No such branch in the caller’s library'])
  replace(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CalendarBodyDto,
  ): Promise<CalendarDto> {
    return this.endpoints.replace(scopeOf(me), { branchId: id }, body);
  }

  @Delete()
  @RequireRole('administrator')
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "Remove a branch's opening hours",
    description: 'Administrators only. The branch is then open 24/7; the answer is what applies now.',
  })
  @ApiProblems(401, 403, [404, 'No such branch in the caller’s library'])
  remove(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<CalendarDto> {
    return this.endpoints.remove(scopeOf(me), { branchId: id });
  }

  @Post('holidays/import')
  @HttpCode(200)
  @RequireRole('administrator')
  @ApiConsumes('text/calendar')
  @ApiBody(ICS_BODY)
  @ApiOkResponse({ type: HolidayImportDto })
  @ApiOperation({
    summary: "Import a branch's holidays from an .ics file",
    description:
      'Administrators only. The body is the iCalendar file (text/calendar, at most 1 MB). One-day all-day events ' +
      'become holidays (a plain yearly rule: MM-DD), longer ones and timed events closures; other recurring rules ' +
      'are expanded for three years from the start of this year. Dates the calendar has keep their name.',
  })
  @ApiProblems(
    IMPORT_400,
    401,
    403,
    [404, 'No such branch in the caller’s library'],
    IMPORT_409,
    IMPORT_413,
    IMPORT_415,
  )
  importHolidays(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: Request,
  ): Promise<HolidayImportDto> {
    return this.endpoints.importHolidays(scopeOf(me), { branchId: id }, req);
  }

  @Get('open')
  @ApiOkResponse({ type: OpenDto })
  @ApiOperation({
    summary: 'Is the branch open at an instant',
    description: 'Open or not at `at` (now by default), and when it next opens and closes.',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such branch in the caller’s library'])
  open(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: OpenQuery,
  ): Promise<OpenDto> {
    return this.endpoints.open(scopeOf(me), { branchId: id }, query);
  }

  @Get('next-opening')
  @ApiOkResponse({ type: NextOpeningDto })
  @ApiOperation({
    summary: 'When the branch next opens',
    description:
      'The first instant at or after `after` (now by default) at which it is open; null within two years: never.',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such branch in the caller’s library'])
  nextOpening(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: NextOpeningQuery,
  ): Promise<NextOpeningDto> {
    return this.endpoints.nextOpening(scopeOf(me), { branchId: id }, query);
  }

  @Get('business-time')
  @ApiOkResponse({ type: BusinessTimeDto })
  @ApiOperation({
    summary: 'Open time between two instants',
    description: 'Real elapsed time the branch is open between `from` and `to` (at most ten years apart).',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such branch in the caller’s library'])
  businessTime(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: BusinessTimeQuery,
  ): Promise<BusinessTimeDto> {
    return this.endpoints.businessTime(scopeOf(me), { branchId: id }, query);
  }
}

/**
 * Opening hours of a department: its own calendar, else its branch's, else the library's default
 * branch's (the branch created first), else 24/7. SLA clocks of the department's conversations run on these.
 */
@ApiTags('opening hours')
@ApiBearerAuth()
@Controller('departments/:id/calendar')
export class DepartmentCalendarController {
  private readonly endpoints: CalendarEndpoints;

  constructor(calendars: CalendarService, clock: Clock) {
    this.endpoints = new CalendarEndpoints(calendars, clock);
  }

  @Get()
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "A department's opening hours",
    description:
      'Its own calendar, or (`configured: false`) what applies instead: its branch’s hours (`source: branch`), the default branch’s (`source: default-branch`) or 24/7.',
  })
  @ApiProblems(...READ_PROBLEMS, [404, 'No such department in the caller’s library'])
  get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<CalendarDto> {
    return this.endpoints.get(scopeOf(me), { departmentId: id });
  }

  @Put()
  @RequireRole('administrator')
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "Set a department's own opening hours",
    description:
      'Administrators only. Replaces the calendar whole, as for a branch; without a zone it follows its branch’s (else the default branch’s).',
  })
  @ApiProblems(CALENDAR_400, 401, 403, [404, 'No such department in the caller’s library'])
  replace(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CalendarBodyDto,
  ): Promise<CalendarDto> {
    return this.endpoints.replace(scopeOf(me), { departmentId: id }, body);
  }

  @Delete()
  @RequireRole('administrator')
  @ApiOkResponse({ type: CalendarDto })
  @ApiOperation({
    summary: "Remove a department's own opening hours",
    description:
      'Administrators only. The department then follows its branch’s hours, else the default branch’s (or 24/7).',
  })
  @ApiProblems(401, 403, [404, 'No such department in the caller’s library'])
  remove(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<CalendarDto> {
    return this.endpoints.remove(scopeOf(me), { departmentId: id });
  }

  @Post('holidays/import')
  @HttpCode(200)
  @RequireRole('administrator')
  @ApiConsumes('text/calendar')
  @ApiBody(ICS_BODY)
  @ApiOkResponse({ type: HolidayImportDto })
  @ApiOperation({
    summary: "Import a department's holidays from an .ics file",
    description: 'Administrators only; as for a branch. The department needs opening hours of its own first.',
  })
  @ApiProblems(
    IMPORT_400,
    401,
    403,
    [404, 'No such department in the caller’s library'],
    IMPORT_409,
    IMPORT_413,
    IMPORT_415,
  )
  importHolidays(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: Request,
  ): Promise<HolidayImportDto> {
    return this.endpoints.importHolidays(scopeOf(me), { departmentId: id }, req);
  }

  @Get('open')
  @ApiOkResponse({ type: OpenDto })
  @ApiOperation({
    summary: 'Is the department open at an instant',
    description: 'Open or not at `at` (now by default) by the hours that apply, and when it next opens and closes.',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such department in the caller’s library'])
  open(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: OpenQuery,
  ): Promise<OpenDto> {
    return this.endpoints.open(scopeOf(me), { departmentId: id }, query);
  }

  @Get('next-opening')
  @ApiOkResponse({ type: NextOpeningDto })
  @ApiOperation({
    summary: 'When the department next opens',
    description:
      'The first instant at or after `after` (now by default) at which it is open; null within two years: never.',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such department in the caller’s library'])
  nextOpening(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: NextOpeningQuery,
  ): Promise<NextOpeningDto> {
    return this.endpoints.nextOpening(scopeOf(me), { departmentId: id }, query);
  }

  @Get('business-time')
  @ApiOkResponse({ type: BusinessTimeDto })
  @ApiOperation({
    summary: 'Business time of a department between two instants',
    description: 'Real elapsed open time between `from` and `to` by the hours that apply (the SLA clock’s measure).',
  })
  @ApiProblems(QUERY_400, ...READ_PROBLEMS, [404, 'No such department in the caller’s library'])
  businessTime(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: BusinessTimeQuery,
  ): Promise<BusinessTimeDto> {
    return this.endpoints.businessTime(scopeOf(me), { departmentId: id }, query);
  }
}
