import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems, type Problem } from '@readerdesk/platform';
import { type SlaPolicy, SlaPolicyService } from '@readerdesk/sla';
import { CurrentStaff, RequireRole, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import { SlaPolicyBodyDto, SlaPolicyDto, SlaPolicyPatchDto } from './sla-policies.dto';

function policyDto(p: SlaPolicy): SlaPolicyDto {
  return {
    id: p.id,
    name: p.name,
    departmentId: p.departmentId,
    priority: p.priority,
    channel: p.channel,
    firstResponseMinutes: p.firstResponseMinutes,
    nextResponseMinutes: p.nextResponseMinutes,
    resolutionMinutes: p.resolutionMinutes,
    businessHours: p.businessHours,
    warnAt: p.warnAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

const POLICY_400: Problem = [
  400,
  'A target ≤ 0 or not whole minutes, no target at all, a warning share outside (0, 1) (`validation_failed` or `invalid_sla_policy`, each field named in `errors`)',
];
const NOT_FOUND: Problem = [404, 'No such policy (or department) in the caller’s library'];

/**
 * SLA policies: first-response, next-response and resolution targets for conversations matching
 * department × priority × channel. Supervisors read them; administrators change them.
 */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('sla-policies')
export class SlaPoliciesController {
  constructor(private readonly policies: SlaPolicyService) {}

  @Get()
  @RequireRole('supervisor')
  @ApiOkResponse({ type: [SlaPolicyDto] })
  @ApiOperation({
    summary: 'List SLA policies',
    description:
      'Supervisors and administrators. A conversation runs against its pinned policy, else the most specific match ' +
      '(most of department, priority and channel set and equal); ties: department over priority over channel, then the oldest.',
  })
  @ApiProblems(401, 403)
  async list(@CurrentStaff() me: StaffPrincipal): Promise<SlaPolicyDto[]> {
    return (await this.policies.list(scopeOf(me))).map(policyDto);
  }

  @Get(':id')
  @RequireRole('supervisor')
  @ApiOkResponse({ type: SlaPolicyDto })
  @ApiOperation({ summary: 'One SLA policy', description: 'Supervisors and administrators.' })
  @ApiProblems(401, 403, NOT_FOUND)
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<SlaPolicyDto> {
    return policyDto(await this.policies.get(scopeOf(me), id));
  }

  @Post()
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: SlaPolicyDto })
  @ApiOperation({
    summary: 'Create an SLA policy',
    description:
      'Administrators only. Targets are whole minutes greater than 0, each optional (at least one); counted in the ' +
      'business hours of the department’s calendar (else its branch’s, else the default branch’s) unless `businessHours` is false.',
  })
  @ApiProblems(POLICY_400, 401, 403, NOT_FOUND)
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: SlaPolicyBodyDto): Promise<SlaPolicyDto> {
    return policyDto(await this.policies.create(scopeOf(me), body));
  }

  @Patch(':id')
  @RequireRole('administrator')
  @ApiOkResponse({ type: SlaPolicyDto })
  @ApiOperation({
    summary: 'Change an SLA policy',
    description: 'Administrators only. Conversations pick the change up at their next clock event or check.',
  })
  @ApiProblems(POLICY_400, 401, 403, NOT_FOUND)
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SlaPolicyPatchDto,
  ): Promise<SlaPolicyDto> {
    return policyDto(await this.policies.update(scopeOf(me), id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('administrator')
  @ApiNoContentResponse()
  @ApiOperation({ summary: 'Delete an SLA policy', description: 'Administrators only.' })
  @ApiProblems(401, 403, NOT_FOUND)
  async remove(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.policies.remove(scopeOf(me), id);
  }
}
