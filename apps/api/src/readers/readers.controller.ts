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
  @ApiOperation({
    summary: 'Find the reader behind these handles, or create one (what every channel does on a first contact)',
  })
  @ApiOkResponse({ type: ResolutionDto })
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
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ReaderDto> {
    const scope = scopeOf(me);
    return readerDto(await this.readers.get(scope, id), await this.readers.handlesOf(scope, id));
  }

  @Post('readers/:id/merge')
  @HttpCode(200)
  @RequireRole('supervisor')
  @ApiOperation({
    summary: 'Merge another reader into this one: handles move, the other becomes a tombstone, the history records it',
  })
  @ApiOkResponse({ type: ReaderDto })
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
  @ApiOperation({ summary: 'Detach a handle joined to the wrong reader; it becomes a reader of its own' })
  @ApiOkResponse({ type: ReaderDto })
  async unlink(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ReaderDto> {
    const result = await this.identity.unlink(scopeOf(me), id, me.agentId);
    return readerDto(result.reader, result.handles);
  }
}
