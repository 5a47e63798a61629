import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError, type Problem, ApiProblems } from '@readerdesk/platform';
import { QueueStatsService, type QueueView } from '@readerdesk/queue-stats';
import {
  CurrentStaff,
  DepartmentAccessService,
  RequireRole,
  scopeOf,
  StaffDirectory,
  type StaffPrincipal,
} from '@readerdesk/staff';
import { QueueStatsDto, QueueStatsQuery } from './queue-stats.dto';

const NOT_FOUND: Problem = [404, 'No such department in the caller’s library, or not one of a supervisor’s'];

/** Live queue statistics for the supervisor board; `queue-stats.changed` on the socket says when to read again. */
@ApiTags('queue-stats')
@ApiBearerAuth()
@Controller('queue-stats')
export class QueueStatsController {
  constructor(
    private readonly stats: QueueStatsService,
    private readonly access: DepartmentAccessService,
    private readonly staff: StaffDirectory,
  ) {}

  @Get()
  @RequireRole('supervisor')
  @ApiOkResponse({ type: QueueStatsDto })
  @ApiOperation({
    summary: 'Queue statistics, live',
    description:
      'Supervisors (their departments and triage) and administrators (every department and triage). Per department × ' +
      'channel: waiting now and the longest wait; today (the library’s time zone) offered, accepted, rejected, timed ' +
      'out, answered (first staff reply) and within the channel’s service-level threshold, abandoned and short-abandoned, ' +
      'resolved, the service level, first-response and resolution p50/p90; the departments’ agents by presence and load.',
  })
  @ApiProblems([400, '`departmentId` is not a UUID (`validation_failed`)'], 401, 403, NOT_FOUND)
  async get(@CurrentStaff() me: StaffPrincipal, @Query() query: QueueStatsQuery): Promise<QueueStatsDto> {
    const scope = scopeOf(me);
    const visible = await this.access.departmentsOf(me);
    let view: QueueView;
    if (query.departmentId) {
      await this.staff.assertDepartmentsExist(scope, [query.departmentId]);
      if (visible !== 'all' && !visible.has(query.departmentId))
        throw new NotFoundError(`Department ${query.departmentId}`);
      view = { departmentIds: [query.departmentId], triage: false };
    } else {
      const departments = await this.staff.listDepartments(scope);
      view = {
        departmentIds: departments.map((d) => d.id).filter((id) => visible === 'all' || visible.has(id)),
        triage: true,
      };
    }
    return this.stats.report(scope, view);
  }
}
