import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MentionService, type MentionView } from '@readerdesk/conversations';
import { ApiProblems, DomainError, type Problem } from '@readerdesk/platform';
import { CurrentStaff, DepartmentAccessService, scopeOf, StaffOnly, type StaffPrincipal } from '@readerdesk/staff';
import { ApiErrors } from '../api.errors';
import { ListMentionsQuery, MentionDto, MentionPageDto } from './mentions.dto';

const mentionDto = (m: MentionView): MentionDto => ({
  id: m.id,
  conversationId: m.conversationId,
  conversationNumber: m.conversationNumber,
  messageId: m.messageId,
  byAgentId: m.byAgentId,
  byName: m.byName,
  excerpt: m.excerpt,
  createdAt: m.createdAt,
  readAt: m.readAt,
});

function encodeCursor(m: MentionView): string {
  return Buffer.from(JSON.stringify({ t: m.createdAt.toISOString(), id: m.id })).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const { t, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { t: unknown; id: unknown };
    const createdAt = new Date(typeof t === 'string' ? t : NaN);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new DomainError(ApiErrors.invalidCursor, 'The cursor is not one this API gave out');
  }
}

const NO_KEYS: Problem = [403, 'API keys are mentioned by nobody: members of staff only'];

/**
 * The caller's mentions: internal notes that name them (`@maria`), newest first, in conversations
 * they may see now. Each is also pushed as `mention.created` to their socket when the note is written.
 */
@ApiTags('mentions')
@ApiBearerAuth()
@StaffOnly()
@Controller('mentions')
export class MentionsController {
  constructor(
    private readonly mentions: MentionService,
    private readonly access: DepartmentAccessService,
  ) {}

  @Get()
  @ApiOkResponse({ type: MentionPageDto })
  @ApiOperation({
    summary: 'My mentions',
    description:
      'Notes that mention the caller, newest first, one page at a time with a cursor; `unread=true` keeps those not ' +
      'marked read. A conversation moved to a department the caller does not work in takes its mentions with it.',
  })
  @ApiProblems([400, 'A malformed filter or cursor (`validation_failed`, `invalid_cursor`)'], 401, NO_KEYS)
  async mine(@CurrentStaff() me: StaffPrincipal, @Query() query: ListMentionsQuery): Promise<MentionPageDto> {
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.mentions.mine(scopeOf(me), me.agentId, await this.access.departmentsOf(me), {
      unread: query.unread,
      limit: limit + 1,
      after,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(mentionDto), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: MentionDto })
  @ApiOperation({
    summary: 'Mark a mention read',
    description: 'Only the member of staff mentioned; marking it again keeps the first time.',
  })
  @ApiProblems(401, NO_KEYS, [404, 'No such mention of the caller (another agent’s reads as unknown)'])
  async read(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<MentionDto> {
    return mentionDto(await this.mentions.markRead(scopeOf(me), id, me.agentId, await this.access.departmentsOf(me)));
  }
}
