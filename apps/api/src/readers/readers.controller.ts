import { ApiProblems } from '@readerdesk/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdentityService, Reader, ReaderHandle, ReaderService } from '@readerdesk/readers';
import { CurrentStaff, RequireRole, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import { MergeReaderDto, ReaderDto, ReaderHandleDto, ResolutionDto, ResolveReaderDto } from './readers.dto';

const handleDto = (h: ReaderHandle): ReaderHandleDto => ({
  id: h.id,
  kind: h.kind,
  value: h.value,
  raw: h.raw,
  valid: h.valid,
});

function readerDto(r: Reader, handles: ReaderHandle[]): ReaderDto {
  return {
    id: r.id,
    displayName: r.displayName,
    preferredLanguage: r.preferredLanguage,
    cardNumber: r.cardNumber,
    category: r.category,
    homeBranchId: r.homeBranchId,
    keepHistory: r.keepHistory,
    mergedIntoId: r.mergedIntoId,
    handles: handles.map(handleDto),
  };
}

@ApiTags('readers')
@ApiBearerAuth()
@Controller()
export class ReadersController {
  constructor(
    private readonly identity: IdentityService,
    private readonly readers: ReaderService,
  ) {}

  @Post('readers/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: ResolutionDto })
  @ApiOperation({
    summary: 'Find or create the reader behind these handles',
    description:
      'What every channel does on a first contact: the handles (email, E.164 phone, card, chat) are looked up in the library and a reader is created when none matches; safe under concurrency.',
  })
  @ApiProblems([400, 'No handles, or a handle that is not valid for its kind (`no_handles`)'], 401, 403)
  async resolve(@CurrentStaff() me: StaffPrincipal, @Body() body: ResolveReaderDto): Promise<ResolutionDto> {
    const result = await this.identity.resolve(scopeOf(me), body);
    return {
      reader: readerDto(result.reader, result.handles),
      created: result.created,
      conflicts: result.conflicts.map(handleDto),
    };
  }

  @Get('readers/:id')
  @ApiOkResponse({ type: ReaderDto })
  @ApiOperation({
    summary: 'A reader',
    description: "Profile, consent and handles of a reader of the caller's library.",
  })
  @ApiProblems(401, 403, [404, 'No such reader in the caller’s library'])
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ReaderDto> {
    const scope = scopeOf(me);
    return readerDto(await this.readers.get(scope, id), await this.readers.handlesOf(scope, id));
  }

  @Post('readers/:id/merge')
  @HttpCode(200)
  @RequireRole('supervisor')
  @ApiOkResponse({ type: ReaderDto })
  @ApiOperation({
    summary: 'Merge another reader into this one',
    description:
      "Supervisors and administrators: the other reader's handles move here, it becomes a tombstone, and the history records the merge.",
  })
  @ApiProblems(
    [400, 'A reader cannot be merged into itself (`merge_same_reader`), or invalid input'],
    401,
    403,
    [404, 'No such reader in the caller’s library'],
    [409, 'One of the readers was merged already (`reader_already_merged`)'],
  )
  async merge(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: MergeReaderDto,
  ): Promise<ReaderDto> {
    const scope = scopeOf(me);
    const merged = await this.identity.merge(scope, id, body.sourceReaderId, me.agentId);
    return readerDto(merged, await this.readers.handlesOf(scope, id));
  }

  @Post('reader-handles/:id/unlink')
  @HttpCode(200)
  @RequireRole('supervisor')
  @ApiOkResponse({ type: ReaderDto })
  @ApiOperation({
    summary: 'Detach a handle from its reader',
    description:
      'Supervisors and administrators: a handle joined to the wrong reader becomes a reader of its own; the history records it.',
  })
  @ApiProblems(
    401,
    403,
    [404, 'No such handle in the caller’s library'],
    [409, 'It is the reader’s last handle (`last_handle`)'],
  )
  async unlink(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ReaderDto> {
    const result = await this.identity.unlink(scopeOf(me), id, me.agentId);
    return readerDto(result.reader, result.handles);
  }
}
