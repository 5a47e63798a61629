import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '@readerdesk/platform';
import { RoutingRule, RoutingRulesService } from '@readerdesk/routing';
import { CurrentStaff, RequireRole, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import {
  CreateRoutingRuleDto,
  DryRunDto,
  DryRunResultDto,
  RoutingRuleDto,
  RoutingRuleOrderDto,
  UpdateRoutingRuleDto,
} from './routing-rules.dto';

const ruleDto = (r: RoutingRule): RoutingRuleDto => ({
  id: r.id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  conditions: r.conditions,
  actions: r.actions,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const INVALID =
  'Invalid rule: `errors` names the fields (an unknown field or operator, an empty value list or keyword, a rule without actions, `actions.departmentId` of no department of the library)';

/** The library's routing rules: administrators manage them, supervisors read them and try them out. */
@ApiTags('routing')
@ApiBearerAuth()
@RequireRole('supervisor')
@Controller('routing-rules')
export class RoutingRulesController {
  constructor(private readonly rules: RoutingRulesService) {}

  @Get()
  @ApiOkResponse({ type: [RoutingRuleDto] })
  @ApiOperation({
    summary: "The library's routing rules, in order",
    description:
      'Supervisors and administrators. Tried in this order when a contact opens a conversation; the first enabled rule whose conditions all hold decides. None: the inbox’s default department.',
  })
  @ApiProblems(401, 403)
  async list(@CurrentStaff() me: StaffPrincipal): Promise<RoutingRuleDto[]> {
    return (await this.rules.list(scopeOf(me))).map(ruleDto);
  }

  @Post()
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: RoutingRuleDto })
  @ApiOperation({
    summary: 'Create a routing rule',
    description:
      'Administrators only. Conditions are an AND-list; actions set the department, priority, tags, SLA policy and required skills. Placed last unless `position` says otherwise. Takes effect for the next contact in every process.',
  })
  @ApiProblems([400, INVALID], 401, 403)
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateRoutingRuleDto): Promise<RoutingRuleDto> {
    return ruleDto(await this.rules.create(scopeOf(me), body));
  }

  @Put('order')
  @RequireRole('administrator')
  @ApiOkResponse({ type: [RoutingRuleDto] })
  @ApiOperation({
    summary: 'Reorder the routing rules',
    description: 'Administrators only. `ids` lists every rule of the library once, first tried first.',
  })
  @ApiProblems([400, 'A rule is missing or listed twice (`errors` names `ids`)'], 401, 403, [
    404,
    'An id names no rule of the caller’s library',
  ])
  async reorder(@CurrentStaff() me: StaffPrincipal, @Body() body: RoutingRuleOrderDto): Promise<RoutingRuleDto[]> {
    return (await this.rules.reorder(scopeOf(me), body.ids)).map(ruleDto);
  }

  @Post('dry-run')
  @HttpCode(200)
  @ApiOkResponse({ type: DryRunResultDto })
  @ApiOperation({
    summary: 'Which rule would route this contact',
    description:
      'Supervisors and administrators. Describes a contact (inbox, channel, subject, text, what the reader chose, reader attributes, time) and answers the first matching rule, the decision, and each rule’s own verdict (the first condition that failed). Reads the rules as saved; stores nothing.',
  })
  @ApiProblems(400, 401, 403, [404, 'No such inbox in the caller’s library'])
  async dryRun(@CurrentStaff() me: StaffPrincipal, @Body() body: DryRunDto): Promise<DryRunResultDto> {
    return this.rules.dryRun(scopeOf(me), {
      inboxId: body.inboxId,
      channel: body.channel,
      subject: body.subject,
      text: body.text,
      hints: body.routing,
      reader: body.reader,
      at: body.at,
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: RoutingRuleDto })
  @ApiOperation({ summary: 'A routing rule', description: 'Supervisors and administrators.' })
  @ApiProblems(401, 403, [404, 'No such rule in the caller’s library'])
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<RoutingRuleDto> {
    return ruleDto(await this.rules.get(scopeOf(me), id));
  }

  @Patch(':id')
  @RequireRole('administrator')
  @ApiOkResponse({ type: RoutingRuleDto })
  @ApiOperation({
    summary: 'Change a routing rule',
    description:
      'Administrators only. `conditions` and `actions` replace the whole list or set; `position` moves it. Validated as on creation.',
  })
  @ApiProblems([400, INVALID], 401, 403, [404, 'No such rule in the caller’s library'])
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateRoutingRuleDto,
  ): Promise<RoutingRuleDto> {
    return ruleDto(await this.rules.update(scopeOf(me), id, body));
  }

  @Delete(':id')
  @RequireRole('administrator')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Remove a routing rule',
    description: 'Administrators only. Conversations it routed keep their department and the timeline entry.',
  })
  @ApiProblems(401, 403, [404, 'No such rule in the caller’s library'])
  async remove(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.rules.remove(scopeOf(me), id);
  }
}
