import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AttachmentService, ConversationService } from '@readerdesk/conversations';
import { BlobTooLarge, DomainError, ApiProblems } from '@readerdesk/platform';
import { CurrentStaff, DepartmentAccessService, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { attachmentDto } from './conversations.controller';
import { AttachmentDto, UploadQuery } from './conversations.dto';
import { ApiErrors } from '../api.errors';

/** Types a browser may show in place; everything else is only ever downloaded. SVG can carry script: not here. */
const SHOWN_IN_PLACE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Files on conversations. Uploads are the file's raw bytes with its own Content-Type (as Zendesk's
 * uploads API takes them), streamed to storage and refused with 413 past DESK_ATTACHMENT_MAX_BYTES;
 * the upload then rides on a reply or note through `attachmentIds`.
 */
@ApiTags('attachments')
@ApiBearerAuth()
@Controller()
export class AttachmentsController {
  constructor(
    private readonly attachments: AttachmentService,
    private readonly conversations: ConversationService,
    private readonly access: DepartmentAccessService,
  ) {}

  private async assertVisible(me: StaffPrincipal, conversationId: string): Promise<void> {
    const conversation = await this.conversations.get(scopeOf(me), conversationId);
    await this.access.assertCanSee(me, conversation.departmentId, 'Conversation');
  }

  @Post('conversations/:id/attachments')
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: AttachmentDto })
  @ApiOperation({
    summary: 'Upload a file',
    description:
      "The request body is the file's raw bytes with its own Content-Type and `?filename=`; the answer's id rides on a reply or note (`attachmentIds`).",
  })
  @ApiProblems(
    [400, 'An empty file or a missing file name (`empty_attachment`)'],
    401,
    403,
    [404, 'No such conversation the caller may see'],
    [413, 'The file is larger than DESK_ATTACHMENT_MAX_BYTES (named in `detail`)'],
  )
  async upload(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: UploadQuery,
    @Req() req: Request,
  ): Promise<AttachmentDto> {
    await this.assertVisible(me, id);
    const declared = Number(req.headers['content-length']);
    // Say no before reading a byte when the client already told us the size.
    if (Number.isFinite(declared) && declared > this.attachments.maxBytes) {
      req.resume();
      throw new BlobTooLarge(this.attachments.maxBytes);
    }
    const attachment = await this.attachments.upload(scopeOf(me), id, me.agentId, {
      filename: query.filename,
      contentType: req.headers['content-type'] ?? 'application/octet-stream',
      body: req,
    });
    return attachmentDto(attachment);
  }

  @Get('attachments/:id')
  @ApiOkResponse({ type: AttachmentDto })
  @ApiOperation({
    summary: "An attachment's description",
    description: 'File name, media type, size and the conversation it belongs to.',
  })
  @ApiProblems(401, 403, [404, 'No such attachment the caller may see'])
  async describe(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<AttachmentDto> {
    const attachment = await this.attachments.get(scopeOf(me), id);
    await this.assertVisible(me, attachment.conversationId);
    return attachmentDto(attachment);
  }

  @Get('attachments/:id/content')
  @ApiQuery({ name: 'disposition', required: false, enum: ['attachment', 'inline'] })
  @ApiProduces('application/octet-stream')
  @ApiOperation({
    summary: "An attachment's bytes",
    description:
      'Always a download (`nosniff`, sandboxed), except common raster images asked for with `?disposition=inline`.',
  })
  @ApiProblems([400, 'An unknown disposition (`invalid_disposition`)'], 401, 403, [
    404,
    'No such attachment the caller may see',
  ])
  async content(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query('disposition') disposition: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const attachment = await this.attachments.get(scopeOf(me), id);
    await this.assertVisible(me, attachment.conversationId);
    if (disposition !== undefined && disposition !== 'inline' && disposition !== 'attachment') {
      throw new DomainError(ApiErrors.invalidDisposition, 'disposition is inline or attachment');
    }
    const inline = disposition === 'inline' && SHOWN_IN_PLACE.has(attachment.contentType);
    const stream = await this.attachments.open(attachment);
    res.status(200);
    res.setHeader('Content-Type', inline ? attachment.contentType : 'application/octet-stream');
    res.setHeader('Content-Length', String(attachment.size));
    res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', attachment.filename));
    // Whatever the bytes are, the browser must not run or sniff them.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('ETag', `"${attachment.sha256}"`);
    await pipeline(stream, res);
  }
}
