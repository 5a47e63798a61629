import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { LibraryScope, ApiProblems } from '@readerdesk/platform';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Agent,
  effectiveCapacity,
  effectiveSkills,
  PresenceService,
  CurrentStaff,
  RequireRole,
  scopeOf,
  StaffAdminService,
  StaffDirectory,
  type StaffPrincipal,
} from '@readerdesk/staff';
import { LibraryAdminService, LibraryDirectory } from '@readerdesk/tenancy';
import {
  AgentDto,
  BranchDto,
  PresenceChangeDto,
  SetPresenceDto,
  UpdateAgentDto,
  CreateAgentDto,
  CreateBranchDto,
  CreateDepartmentDto,
  DepartmentDto,
  LibraryDto,
  UpdateBranchDto,
  UpdateDepartmentDto,
  UpdateLibraryDto,
} from './admin.dto';

const branchDto = (b: BranchDto): BranchDto => ({
  id: b.id,
  code: b.code,
  name: b.name,
  timeZone: b.timeZone,
  address: b.address,
});
const departmentDto = (d: DepartmentDto): DepartmentDto => ({
  id: d.id,
  code: d.code,
  name: d.name,
  description: d.description,
  branchId: d.branchId,
});

/**
 * The signed-in member of staff's own library: everyone reads it, administrators change it. Ids of
 * another library's rows answer 404, exactly like ids that do not exist.
 */
@ApiTags('library administration')
@ApiBearerAuth()
@Controller()
export class AdminController {
  constructor(
    private readonly library: LibraryAdminService,
    private readonly staff: StaffAdminService,
    private readonly libraries: LibraryDirectory,
    private readonly directory: StaffDirectory,
    private readonly presence: PresenceService,
  ) {}

  private async agentDto(scope: LibraryScope, a: Agent): Promise<AgentDto> {
    return {
      id: a.id,
      email: a.email,
      displayName: a.displayName,
      role: a.role,
      active: a.active,
      presence: a.presence,
      capacity: effectiveCapacity(a),
      skills: effectiveSkills(a),
      departmentIds: await this.staff.departmentIdsOf(scope, a.id),
    };
  }

  @Get('library')
  @ApiOkResponse({ type: LibraryDto })
  @ApiOperation({
    summary: "The caller's library",
    description: 'Name, slug and settings (allowed CORS origins) of the library of the signed-in member of staff.',
  })
  @ApiProblems(401, 403)
  async getLibrary(@CurrentStaff() me: StaffPrincipal): Promise<LibraryDto> {
    const l = await this.library.library(scopeOf(me));
    return {
      id: l.id,
      slug: l.slug,
      name: l.name,
      defaultCountry: l.defaultCountry,
      defaultLanguage: l.defaultLanguage,
      timeZone: l.timeZone,
      keepHistoryByDefault: l.keepHistoryByDefault,
      allowedOrigins: l.allowedOrigins,
    };
  }

  @Patch('library')
  @RequireRole('administrator')
  @ApiOkResponse({ type: LibraryDto })
  @ApiOperation({
    summary: "Change the library's settings",
    description: 'Administrators only: name and the origins whose web pages may call the API (CORS).',
  })
  @ApiProblems(400, 401, 403)
  async updateLibrary(@CurrentStaff() me: StaffPrincipal, @Body() body: UpdateLibraryDto): Promise<LibraryDto> {
    await this.library.updateLibrary(scopeOf(me), body);
    return this.getLibrary(me);
  }

  @Get('branches')
  @ApiOkResponse({ type: [BranchDto] })
  @ApiOperation({
    summary: "The library's branches",
    description: 'Every branch with its code, name and IANA time zone.',
  })
  @ApiProblems(401, 403)
  async listBranches(@CurrentStaff() me: StaffPrincipal): Promise<BranchDto[]> {
    return (await this.libraries.branches(scopeOf(me))).map(branchDto);
  }

  @Post('branches')
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: BranchDto })
  @ApiOperation({
    summary: 'Add a branch',
    description: 'Administrators only. The code is unique in the library; the time zone must be an IANA name.',
  })
  @ApiProblems(400, 401, 403, [409, 'A branch with that code exists (`duplicate_code`)'])
  async createBranch(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateBranchDto): Promise<BranchDto> {
    return branchDto(await this.library.createBranch(scopeOf(me), body));
  }

  @Patch('branches/:id')
  @RequireRole('administrator')
  @ApiOkResponse({ type: BranchDto })
  @ApiOperation({ summary: 'Change a branch', description: 'Administrators only: name, code or time zone.' })
  @ApiProblems(
    400,
    401,
    403,
    [404, 'No such branch in the caller’s library'],
    [409, 'Another branch has that code (`duplicate_code`)'],
  )
  async updateBranch(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateBranchDto,
  ): Promise<BranchDto> {
    return branchDto(await this.library.updateBranch(scopeOf(me), id, body));
  }

  @Get('departments')
  @ApiOkResponse({ type: [DepartmentDto] })
  @ApiOperation({
    summary: "The library's departments (the queues)",
    description: 'Every department with its code and name; conversations are routed to one of them.',
  })
  @ApiProblems(401, 403)
  async listDepartments(@CurrentStaff() me: StaffPrincipal): Promise<DepartmentDto[]> {
    return (await this.directory.listDepartments(scopeOf(me))).map(departmentDto);
  }

  @Post('departments')
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: DepartmentDto })
  @ApiOperation({
    summary: 'Add a department',
    description:
      'Administrators only. The code is unique in the library; `branchId`, when given, is a branch of the library (else `400 invalid_department` naming `branchId`).',
  })
  @ApiProblems(400, 401, 403, [409, 'A department with that code exists (`duplicate_code`)'])
  async createDepartment(
    @CurrentStaff() me: StaffPrincipal,
    @Body() body: CreateDepartmentDto,
  ): Promise<DepartmentDto> {
    return departmentDto(await this.staff.createDepartment(scopeOf(me), body));
  }

  @Patch('departments/:id')
  @RequireRole('administrator')
  @ApiOkResponse({ type: DepartmentDto })
  @ApiOperation({
    summary: 'Change a department',
    description:
      'Administrators only: name, code or branch. A new branch (or null: the default branch) changes the opening hours it follows, and the SLA due times of its open conversations are recomputed.',
  })
  @ApiProblems(
    400,
    401,
    403,
    [404, 'No such department in the caller’s library'],
    [409, 'Another department has that code (`duplicate_code`)'],
  )
  async updateDepartment(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateDepartmentDto,
  ): Promise<DepartmentDto> {
    return departmentDto(await this.staff.updateDepartment(scopeOf(me), id, body));
  }

  @Get('agents')
  @RequireRole('supervisor')
  @ApiOkResponse({ type: [AgentDto] })
  @ApiOperation({
    summary: "The library's staff accounts",
    description: 'Supervisors and administrators: every account with role, status, departments and presence.',
  })
  @ApiProblems(401, 403)
  async listAgents(@CurrentStaff() me: StaffPrincipal): Promise<AgentDto[]> {
    const scope = scopeOf(me);
    const agents = await this.staff.listAgents(scope);
    return Promise.all(agents.map((a) => this.agentDto(scope, a)));
  }

  @Post('agents')
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: AgentDto })
  @ApiOperation({
    summary: 'Add a staff account',
    description: 'Administrators only: email, name, password, role and departments.',
  })
  @ApiProblems(400, 401, 403, [409, 'An account with that email exists (`duplicate`)'])
  async createAgent(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateAgentDto): Promise<AgentDto> {
    const scope = scopeOf(me);
    return this.agentDto(scope, await this.staff.createAgent(scope, body));
  }

  @Patch('agents/:id')
  @RequireRole('administrator')
  @ApiOkResponse({ type: AgentDto })
  @ApiOperation({
    summary: 'Change a staff account',
    description:
      'Administrators only: role, departments, status or password. Open sockets follow at once; access tokens from before answer `401 token_revoked`.',
  })
  @ApiProblems(400, 401, 403, [404, 'No such account in the caller’s library'])
  async updateAgent(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateAgentDto,
  ): Promise<AgentDto> {
    const scope = scopeOf(me);
    return this.agentDto(scope, await this.staff.updateAgent(scope, id, body));
  }

  @Put('agents/me/presence')
  @ApiOkResponse({ type: SetPresenceDto })
  @ApiOperation({
    summary: 'Set my presence',
    description:
      "available, busy, away or offline; consoles of the agent's departments see the change live and it is recorded.",
  })
  @ApiProblems(400, 401, 403)
  async setPresence(@CurrentStaff() me: StaffPrincipal, @Body() body: SetPresenceDto): Promise<SetPresenceDto> {
    return { presence: await this.presence.set(scopeOf(me), me.agentId, body.presence) };
  }

  @Get('agents/:id/presence-changes')
  @RequireRole('supervisor')
  @ApiOkResponse({ type: [PresenceChangeDto] })
  @ApiOperation({
    summary: "An agent's presence history",
    description: "Supervisors and administrators: the agent's presence changes, newest first.",
  })
  @ApiProblems(400, 401, 403, [404, 'No such account in the caller’s library'])
  async presenceChanges(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<PresenceChangeDto[]> {
    const scope = scopeOf(me);
    await this.staff.agent(scope, id);
    return (await this.presence.changes(scope, id)).map((c) => ({ from: c.from, to: c.to, at: c.createdAt }));
  }
}
