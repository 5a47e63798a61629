import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  type CannedReply,
  type CannedReplyCaller,
  CannedReplyService,
  unknownPlaceholders,
} from '@readerdesk/canned-replies';
import { ApiProblems, type Problem } from '@readerdesk/platform';
import {
  CurrentStaff,
  DepartmentAccessService,
  RequireRole,
  scopeOf,
  StaffOnly,
  type StaffPrincipal,
} from '@readerdesk/staff';
import {
  CannedReplyBodyDto,
  CannedReplyDto,
  CannedReplyPatchDto,
  ListCannedRepliesQuery,
  RenderedCannedReplyDto,
} from './canned-replies.dto';

function replyDto(r: CannedReply): CannedReplyDto {
  return {
    id: r.id,
    title: r.title,
    shortcut: r.shortcut,
    text: r.text,
    departmentId: r.departmentId,
    unknownPlaceholders: unknownPlaceholders(r.text),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const INVALID: Problem = [
  400,
  'A title over 120 characters, a text over 10,000, an empty one, a malformed shortcut or department id (`validation_failed`, each field named in `errors`)',
];
const MANAGE_403: Problem = [
  403,
  'Agents use canned replies but do not manage them; supervisors manage their departments’ replies, not library-wide ones (`forbidden`)',
];
const NOT_FOUND: Problem = [
  404,
  'No such reply, or department, that the caller may see (another library’s or another department’s)',
];
const DUPLICATE: Problem = [
  409,
  'Another reply of the same department (or library) has that shortcut (`duplicate_shortcut`)',
];

async function callerOf(access: DepartmentAccessService, me: StaffPrincipal): Promise<CannedReplyCaller> {
  return { agentId: me.agentId, role: me.role, departments: await access.departmentsOf(me) };
}

/**
 * Canned replies: saved answers for the whole library or one department, with placeholders filled
 * per conversation. Everyone uses the library-wide ones and their departments'; administrators
 * manage any, supervisors their departments'.
 */
@ApiTags('canned-replies')
@ApiBearerAuth()
@Controller('canned-replies')
export class CannedRepliesController {
  constructor(
    private readonly replies: CannedReplyService,
    private readonly access: DepartmentAccessService,
  ) {}

  @Get()
  @ApiOkResponse({ type: [CannedReplyDto] })
  @ApiOperation({
    summary: 'Canned replies the caller may use',
    description:
      'The library-wide ones and those of the caller’s departments (administrators: every department), by title; ' +
      '`q` matches part of the title or shortcut, `departmentId` keeps that department’s and the library-wide ones.',
  })
  @ApiProblems([400, 'A malformed filter (`validation_failed`)'], 401, 403, [
    404,
    'The department is not one the caller may see',
  ])
  async list(@CurrentStaff() me: StaffPrincipal, @Query() query: ListCannedRepliesQuery): Promise<CannedReplyDto[]> {
    const caller = await callerOf(this.access, me);
    return (await this.replies.list(scopeOf(me), caller, query)).map(replyDto);
  }

  @Post()
  @RequireRole('supervisor')
  @ApiCreatedResponse({ type: CannedReplyDto })
  @ApiOperation({
    summary: 'Save a canned reply',
    description:
      'Administrators: library-wide (no `departmentId`) or for any department; supervisors: for one of their departments.',
  })
  @ApiProblems(INVALID, 401, MANAGE_403, NOT_FOUND, DUPLICATE)
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: CannedReplyBodyDto): Promise<CannedReplyDto> {
    return replyDto(await this.replies.create(scopeOf(me), await callerOf(this.access, me), body));
  }

  @Patch(':id')
  @RequireRole('supervisor')
  @ApiOkResponse({ type: CannedReplyDto })
  @ApiOperation({
    summary: 'Change a canned reply',
    description: 'Title, text, shortcut (null: none) or department, as the caller may manage both the old and the new.',
  })
  @ApiProblems(INVALID, 401, MANAGE_403, NOT_FOUND, DUPLICATE)
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CannedReplyPatchDto,
  ): Promise<CannedReplyDto> {
    return replyDto(await this.replies.update(scopeOf(me), await callerOf(this.access, me), id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('supervisor')
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Delete a canned reply',
    description: 'Administrators any; supervisors their departments’.',
  })
  @ApiProblems(401, MANAGE_403, NOT_FOUND)
  async remove(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.replies.remove(scopeOf(me), await callerOf(this.access, me), id);
  }
}

/** A canned reply filled in for one conversation, for the composer. */
@ApiTags('canned-replies')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationCannedRepliesController {
  constructor(
    private readonly replies: CannedReplyService,
    private readonly access: DepartmentAccessService,
  ) {}

  @Post(':id/canned-replies/:replyId/render')
  @HttpCode(200)
  // The agent placeholders are the caller's: a member of staff, not a key.
  @StaffOnly()
  @ApiOkResponse({ type: RenderedCannedReplyDto })
  @ApiOperation({
    summary: 'Fill in a canned reply for a conversation',
    description:
      'Plain text with {{reader.first_name}} (the first word of the reader’s name), {{reader.name}}, {{agent.name}} and ' +
      '{{agent.first_name}} (the caller), {{conversation.reference}} (#1234, as in email subjects) and {{library.name}} ' +
      'filled in; anything else in double braces is left as written and listed in `unknown`, placeholders without a ' +
      'value in `missing`. Nothing is stored or sent.',
  })
  @ApiProblems(
    401,
    [403, 'API keys render nothing: members of staff only'],
    [404, 'No such conversation or reply that the caller may see'],
  )
  async render(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('replyId', ParseUUIDPipe) replyId: string,
  ): Promise<RenderedCannedReplyDto> {
    return this.replies.render(scopeOf(me), await callerOf(this.access, me), id, replyId);
  }
}
