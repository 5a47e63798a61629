import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ChannelErrors, UnprocessedMail, UnprocessedMailService } from '@readerdesk/channels';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { ApiProblems, DomainError } from '@readerdesk/platform';
import { CurrentStaff, DepartmentAccessService, scopeOf, type StaffPrincipal } from '@readerdesk/staff';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { ApiErrors } from '../api.errors';
import {
  ConvertedMailDto,
  ConvertUnprocessedMailDto,
  ListUnprocessedMailQuery,
  UnprocessedMailDetailDto,
  UnprocessedMailDto,
  UnprocessedMailPageDto,
} from './unprocessed-mail.dto';

const mailDto = (m: UnprocessedMail): UnprocessedMailDto => ({
  id: m.id,
  inboxId: m.inboxId,
  reason: m.reason,
  reasonText: m.reasonText,
  category: m.category,
  messageId: m.messageId,
  subject: m.subject,
  from: m.fromText,
  size: m.size,
  sha256: m.sha256,
  receivedAt: m.receivedAt,
  status: m.status,
  resolvedById: m.resolvedById,
  resolvedAt: m.resolvedAt,
  conversationId: m.conversationId,
  rawAvailable: m.storageKey !== null,
});

function encodeCursor(m: UnprocessedMail): string {
  return Buffer.from(JSON.stringify({ t: new Date(m.receivedAt).toISOString(), id: m.id })).toString('base64url');
}

function decodeCursor(cursor: string): { receivedAt: Date; id: string } {
  try {
    const { t, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { t: string; id: string };
    const at = new Date(t);
    if (Number.isNaN(at.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { receivedAt: at, id };
  } catch {
    throw new DomainError(ApiErrors.invalidCursor, 'The cursor is not one this API gave out');
  }
}

const NOT_VISIBLE: [number, string] = [404, 'No such inbox the caller may see, or no such mail in it'];

/**
 * Mail that reached an inbox and opened no conversation (no sender, maybe automatic, automatic about
 * nothing the desk holds), for staff to read, convert or discard. Whoever may see the inbox's
 * department (its default department, where a conversation from it would go) may work the list.
 */
@ApiTags('inboxes')
@ApiBearerAuth()
@Controller('inboxes/:id/unprocessed-mail')
export class UnprocessedMailController {
  constructor(
    private readonly unprocessed: UnprocessedMailService,
    private readonly inboxes: InboxService,
    private readonly access: DepartmentAccessService,
  ) {}

  private async inbox(me: StaffPrincipal, id: string): Promise<Inbox> {
    const inbox = await this.inboxes.get(scopeOf(me), id);
    await this.access.assertCanSee(me, inbox.defaultDepartmentId, 'Inbox');
    return inbox;
  }

  @Get()
  @ApiOkResponse({ type: UnprocessedMailPageDto })
  @ApiOperation({
    summary: "An inbox's unprocessed mail",
    description:
      'Mail that opened no conversation, newest first, one page at a time with a cursor. By default what needs a person: pending mail without a sender or suspected to be automatic; ask for `reason=automatic` (machine mail about nothing the inbox sent or holds) or other statuses explicitly.',
  })
  @ApiProblems([400, 'A malformed filter or cursor (`invalid_cursor`)'], 401, 403, [
    404,
    'No such inbox the caller may see',
  ])
  async list(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListUnprocessedMailQuery,
  ): Promise<UnprocessedMailPageDto> {
    const inbox = await this.inbox(me, id);
    const limit = query.limit ?? 25;
    const rows = await this.unprocessed.page(
      scopeOf(me),
      inbox.id,
      { statuses: query.status ?? ['pending'], reasons: query.reason ?? ['no_sender', 'suspected_automatic'] },
      limit + 1,
      query.cursor ? decodeCursor(query.cursor) : undefined,
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(mailDto), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  @Get(':mailId')
  @ApiOkResponse({ type: UnprocessedMailDetailDto })
  @ApiOperation({
    summary: 'One unprocessed mail',
    description:
      'Its description and a preview read from the raw message: addresses, date, the text, the HTML only sanitised, and the attachments it names. The preview is null once the mail was discarded.',
  })
  @ApiProblems(401, 403, NOT_VISIBLE)
  async get(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('mailId', ParseUUIDPipe) mailId: string,
  ): Promise<UnprocessedMailDetailDto> {
    const inbox = await this.inbox(me, id);
    const mail = await this.unprocessed.get(scopeOf(me), inbox.id, mailId);
    return { ...mailDto(mail), preview: await this.unprocessed.preview(inbox, mail) };
  }

  @Get(':mailId/raw')
  @ApiProduces('message/rfc822')
  @ApiOperation({
    summary: 'The raw message of an unprocessed mail',
    description: 'Byte for byte as the desk received it, as a download (`message/rfc822`, `nosniff`, sandboxed).',
  })
  @ApiProblems(401, 403, NOT_VISIBLE, [410, 'The mail was discarded and its raw message removed (`raw_discarded`)'])
  async raw(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('mailId', ParseUUIDPipe) mailId: string,
    @Res() res: Response,
  ): Promise<void> {
    const inbox = await this.inbox(me, id);
    const mail = await this.unprocessed.get(scopeOf(me), inbox.id, mailId);
    const stream = await this.unprocessed.raw(mail);
    if (!stream) throw new DomainError(ChannelErrors.rawDiscarded, 'The mail was discarded: its raw message is gone');
    res.status(200);
    res.setHeader('Content-Type', 'message/rfc822');
    res.setHeader('Content-Length', String(mail.size));
    res.setHeader('Content-Disposition', `attachment; filename="unprocessed-${mail.id}.eml"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, no-store');
    await pipeline(stream, res);
  }

  @Post(':mailId/convert')
  @HttpCode(200)
  @ApiOkResponse({ type: ConvertedMailDto })
  @ApiOperation({
    summary: 'Turn unprocessed mail into a conversation',
    description:
      "Ingests the raw message as a reader's mail: it opens a conversation (or continues the one its headers name) in the inbox's department, without an acknowledgement. `email` names the reader when the mail has no sender. Records who converted it.",
  })
  @ApiProblems(
    [400, 'The mail has no sender and no `email` was given (`reader_address_required`)'],
    401,
    403,
    NOT_VISIBLE,
    [409, 'The mail was converted or discarded already (`unprocessed_not_pending`)'],
  )
  async convert(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('mailId', ParseUUIDPipe) mailId: string,
    @Body() body: ConvertUnprocessedMailDto,
  ): Promise<ConvertedMailDto> {
    const inbox = await this.inbox(me, id);
    const done = await this.unprocessed.convert(scopeOf(me), inbox, mailId, me.agentId, body.email ?? null);
    return {
      conversationId: done.conversationId,
      conversationCreated: done.conversationCreated,
      mail: mailDto(done.mail),
    };
  }

  @Post(':mailId/discard')
  @HttpCode(200)
  @ApiOkResponse({ type: UnprocessedMailDto })
  @ApiOperation({
    summary: 'Discard unprocessed mail',
    description: 'Records who discarded it and when, and removes the raw message (only its description stays).',
  })
  @ApiProblems(401, 403, NOT_VISIBLE, [409, 'The mail was converted or discarded already (`unprocessed_not_pending`)'])
  async discard(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('mailId', ParseUUIDPipe) mailId: string,
  ): Promise<UnprocessedMailDto> {
    const inbox = await this.inbox(me, id);
    return mailDto(await this.unprocessed.discard(scopeOf(me), inbox.id, mailId, me.agentId));
  }
}
