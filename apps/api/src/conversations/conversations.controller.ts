import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { DomainError, ApiProblems } from '@readerdesk/platform';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  Attachment,
  AttachmentService,
  Conversation,
  type ConversationFilter,
  type ConversationPageAfter,
  ConversationService,
  Inbox,
  InboxService,
  IngestionService,
  type MentionedAgent,
  MentionService,
  Message,
  normaliseTags,
  orderKeyOf,
  searchWords,
  staffActor,
} from '@readerdesk/conversations';
import {
  ApiKeyScopeFor,
  CurrentStaff,
  DepartmentAccessService,
  readsConversations,
  RequireRole,
  scopeOf,
  StaffDirectory,
  type StaffPrincipal,
} from '@readerdesk/staff';
import type { Response } from 'express';
import {
  AssignDto,
  AttachmentDto,
  ChangeStatusDto,
  ConversationCountsDto,
  ConversationDto,
  ConversationPageDto,
  type ConversationSort,
  EditConversationDto,
  ListConversationsQuery,
  CreateInboxDto,
  InboundMessageDto,
  InboxDto,
  IngestReceiptDto,
  IngestResultDto,
  MessageDto,
  NoteDto,
  TextDto,
  TransferDto,
} from './conversations.dto';
import { ApiErrors } from '../api.errors';

const inboxDto = (i: Inbox): InboxDto => ({
  id: i.id,
  channel: i.channel,
  name: i.name,
  defaultDepartmentId: i.defaultDepartmentId,
});
export const attachmentDto = (a: Attachment): AttachmentDto => ({
  id: a.id,
  messageId: a.messageId,
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  inline: a.inline,
  contentId: a.contentId,
  createdAt: a.createdAt,
});
const messageDto = (m: Message, attachments: Attachment[] = [], mentions: MentionedAgent[] = []): MessageDto => ({
  id: m.id,
  kind: m.kind,
  externalId: m.externalId,
  authorAgentId: m.authorAgentId,
  subject: m.subject,
  text: m.text,
  html: m.html,
  data: m.data,
  attachments: attachments.filter((a) => a.messageId === m.id).map(attachmentDto),
  mentions: mentions.map((a) => ({ agentId: a.agentId, displayName: a.displayName })),
  createdAt: m.createdAt,
});
const conversationDto = (c: Conversation): ConversationDto => ({
  id: c.id,
  number: c.number,
  readerId: c.readerId,
  inboxId: c.inboxId,
  channel: c.channel,
  departmentId: c.departmentId,
  assigneeId: c.assigneeId,
  status: c.status,
  priority: c.priority,
  subject: c.subject,
  tags: c.tags,
  readLevel: c.readLevel,
  questionType: c.questionType,
  routingRuleId: c.routingRuleId,
  requiredSkills: c.requiredSkills,
  slaPolicyId: c.slaPolicyId,
  snoozedUntil: c.snoozedUntil,
  firstResponseAt: c.firstResponseAt,
  waitingSince: c.waitingSince,
  resolvedAt: c.resolvedAt,
  lastMessageAt: c.lastMessageAt,
  createdAt: c.createdAt,
  sla: {
    policyId: c.slaAppliedPolicyId,
    firstResponseDueAt: c.firstResponseDueAt,
    nextResponseDueAt: c.nextResponseDueAt,
    resolutionDueAt: c.resolutionDueAt,
    firstResponseBreachedAt: c.firstResponseBreachedAt,
    nextResponseBreachedAt: c.nextResponseBreachedAt,
    resolutionBreachedAt: c.resolutionBreachedAt,
    firstResponseBusinessMs: c.firstResponseBusinessMs,
    firstResponseMs: c.firstResponseMs,
    resolutionBusinessMs: c.resolutionBusinessMs,
    resolutionMs: c.resolutionMs,
  },
});

/** A page's end in one order: the order, its last row's key (null: none) and id. */
function encodeCursor(order: ConversationSort, c: Conversation): string {
  const key = orderKeyOf(order, c);
  return Buffer.from(JSON.stringify({ s: order, t: key ? new Date(key).toISOString() : null, id: c.id })).toString(
    'base64url',
  );
}

function decodeCursor(order: ConversationSort, cursor: string): ConversationPageAfter {
  try {
    const { s, t, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as {
      s?: string;
      t: string | null;
      id: string;
    };
    // Cursors from before the orders existed carry none: they are `activity` cursors.
    if ((s ?? 'activity') !== order) throw new Error('a cursor of another order');
    const key = t === null ? null : new Date(t);
    if ((key && Number.isNaN(key.getTime())) || typeof id !== 'string') throw new Error('bad cursor');
    if (key === null && (order === 'activity' || order === 'newest')) throw new Error('bad cursor');
    return { key, id };
  } catch {
    throw new DomainError(ApiErrors.invalidCursor, 'The cursor is not one this API gave out for this sort');
  }
}

/** A date or date-time of the query; a date alone is the start of that day (UTC), `endOfDay` the start of the next. */
function queryTime(name: string, value: string, endOfDay: boolean): Date {
  const dateOnly = value.length === 10;
  const at = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at.getTime()) || (dateOnly && at.toISOString().slice(0, 10) !== value)) {
    throw new DomainError(ApiErrors.invalidDate, `${name} is not a real date or time: ${value}`);
  }
  if (dateOnly && endOfDay) at.setUTCDate(at.getUTCDate() + 1);
  else if (endOfDay) at.setTime(at.getTime() + 1);
  return at;
}

/** The repository filter of a list query: text checked for words, dates turned into a half-open range. */
function listFilter(query: ListConversationsQuery): ConversationFilter {
  const filter: ConversationFilter = {
    status: query.status,
    channel: query.channel,
    priority: query.priority,
    departmentId: query.departmentId,
    readerId: query.readerId,
    assigneeId: query.assigneeId === 'none' ? null : query.assigneeId,
    tag: query.tag === undefined ? undefined : normaliseTags([query.tag])[0],
  };
  if (query.q !== undefined) {
    if (searchWords(query.q).length === 0) {
      throw new DomainError(ApiErrors.emptySearch, 'q holds no word to search for (letters or digits)');
    }
    filter.text = query.q;
  }
  if (query.from) filter.createdFrom = queryTime('from', query.from, false);
  if (query.to) filter.createdBefore = queryTime('to', query.to, true);
  if (filter.createdFrom && filter.createdBefore && filter.createdFrom >= filter.createdBefore) {
    throw new DomainError(ApiErrors.invalidDateRange, 'from must be before to');
  }
  return filter;
}

@ApiTags('conversations')
@ApiBearerAuth()
@Controller()
export class ConversationsController {
  constructor(
    private readonly inboxes: InboxService,
    private readonly staff: StaffDirectory,
    private readonly ingestion: IngestionService,
    private readonly conversations: ConversationService,
    private readonly access: DepartmentAccessService,
    private readonly attachments: AttachmentService,
    private readonly mentions: MentionService,
  ) {}

  /** Loads a conversation the caller may see; another department's answers 404. */
  private async visible(me: StaffPrincipal, id: string): Promise<Conversation> {
    const conversation = await this.conversations.get(scopeOf(me), id);
    await this.access.assertCanSee(me, conversation.departmentId, 'Conversation');
    return conversation;
  }

  @Get('inboxes')
  @ApiOkResponse({ type: [InboxDto] })
  @ApiOperation({
    summary: "The library's inboxes",
    description: 'Every inbox (API channel, email, …) with its channel, name and default department.',
  })
  @ApiProblems(401, 403)
  async listInboxes(@CurrentStaff() me: StaffPrincipal): Promise<InboxDto[]> {
    return (await this.inboxes.list(scopeOf(me))).map(inboxDto);
  }

  @Post('inboxes')
  @RequireRole('administrator')
  @ApiCreatedResponse({ type: InboxDto })
  @ApiOperation({
    summary: 'Create an inbox',
    description:
      "Administrators only. For the API channel (e.g. a form on the library's website); email inboxes are created with POST /inboxes/email.",
  })
  @ApiProblems(400, 401, 403, [404, 'The default department is not in the caller’s library'])
  async createInbox(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateInboxDto): Promise<InboxDto> {
    const scope = scopeOf(me);
    if (body.defaultDepartmentId) await this.staff.assertDepartmentsExist(scope, [body.defaultDepartmentId]);
    const inbox = await this.inboxes.create(scope, {
      channel: body.channel,
      name: body.name,
      defaultDepartmentId: body.defaultDepartmentId ?? null,
      settings: {},
    });
    return inboxDto(inbox);
  }

  @Post('inboxes/:id/messages')
  @RequireRole('administrator')
  @ApiKeyScopeFor('ingest', 'id')
  @ApiSecurity('api-key')
  @ApiCreatedResponse({ type: IngestResultDto, description: 'Stored (IngestReceiptDto for an ingest-only key)' })
  @ApiOkResponse({ type: IngestResultDto, description: 'Already stored earlier: nothing new was written' })
  @ApiOperation({
    summary: 'Deliver an inbound message through the API channel',
    description:
      "Administrators, or an API key with the scope `ingest:<this inbox>`: posting a reader's contact is a channel's or an integration's act, not an agent's. The same externalId twice stores it once (200 then). A key that does not read conversations gets ids only.",
  })
  @ApiProblems(
    400,
    401,
    [403, 'The caller is not an administrator, or the API key has no scope for this inbox: nothing was stored'],
    [
      404,
      'No such inbox, or the conversation the contact went to is one the caller may not see (the contact is stored)',
    ],
    [409, 'The contact names a conversation it may not continue (`no_conversation`)'],
  )
  async ingest(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: InboundMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestResultDto | IngestReceiptDto> {
    const scope = scopeOf(me);
    const channel = await this.inboxes.channelOf(scope, id);
    const result = await this.ingestion.ingest(scope, { ...body, inboxId: id, channel });
    // An ingest-only key reads nothing back: ids to refer to, and whether the contact was known already.
    // Anyone else never gets a conversation they may not read: the contact stays stored, the answer is a 404.
    const reads = readsConversations(me);
    if (reads) await this.access.assertCanSee(me, result.conversation.departmentId, 'Conversation');
    res.status(result.duplicate ? 200 : 201);
    if (!reads) {
      const { conversation, message, duplicate } = result;
      return { conversation: { id: conversation.id }, message: { id: message.id }, duplicate };
    }
    return {
      conversation: conversationDto(result.conversation),
      message: messageDto(result.message),
      duplicate: result.duplicate,
    };
  }

  @Get('conversations')
  @ApiOkResponse({ type: ConversationPageDto })
  @ApiOperation({
    summary: 'Search and list conversations',
    description:
      'Conversations the caller may see, most recent activity first, filtered by status, department, assignee, tag, words (`q`, all of them, any order and case) and arrival dates (`from`/`to`), one page at a time with a cursor.',
  })
  @ApiProblems(
    [
      400,
      'A malformed filter, date or cursor (`invalid_date`, `invalid_date_range`, `invalid_cursor`, `empty_search`)',
    ],
    401,
    403,
  )
  async list(@CurrentStaff() me: StaffPrincipal, @Query() query: ListConversationsQuery): Promise<ConversationPageDto> {
    const limit = query.limit ?? 25;
    const order = query.sort ?? 'activity';
    const after = query.cursor ? decodeCursor(order, query.cursor) : undefined;
    const visible = await this.access.departmentsOf(me);
    const rows = await this.conversations.page(scopeOf(me), listFilter(query), visible, limit + 1, after, order);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(conversationDto),
      nextCursor: rows.length > limit && last ? encodeCursor(order, last) : null,
    };
  }

  @Get('conversations/counts')
  @ApiOkResponse({ type: ConversationCountsDto })
  @ApiOperation({
    summary: 'How many conversations each queue view holds',
    description:
      'For the caller, over the conversations they may see: open (new, open, pending) ones they hold, open ones ' +
      'nobody holds, all open ones, and all of them whatever the status. The socket’s conversation events say when ' +
      'to read again.',
  })
  @ApiProblems(401, 403)
  async counts(@CurrentStaff() me: StaffPrincipal): Promise<ConversationCountsDto> {
    return this.conversations.counts(scopeOf(me), await this.access.departmentsOf(me), me.agentId);
  }

  @Get('conversations/:id')
  @ApiOkResponse({ type: ConversationDto })
  @ApiOperation({
    summary: 'A conversation',
    description:
      'Status, department, assignee, reader, subject, priority and tags of a conversation the caller may see.',
  })
  @ApiProblems(401, 403, [404, 'No such conversation the caller may see'])
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ConversationDto> {
    return conversationDto(await this.visible(me, id));
  }

  @Get('conversations/:id/timeline')
  @ApiOkResponse({ type: [MessageDto] })
  @ApiOperation({
    summary: "A conversation's timeline",
    description: 'Messages, replies, notes and events (status changes, assignments and transfers) in order.',
  })
  @ApiProblems(401, 403, [404, 'No such conversation the caller may see'])
  async timeline(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<MessageDto[]> {
    await this.visible(me, id);
    const messages = await this.conversations.timeline(scopeOf(me), id);
    const files = await this.attachments.ofMessages(
      scopeOf(me),
      messages.map((m) => m.id),
    );
    const mentions = await this.mentions.ofMessages(
      scopeOf(me),
      messages.filter((m) => m.kind === 'note').map((m) => m.id),
    );
    return messages.map((m) => messageDto(m, files, mentions.get(m.id)));
  }

  @Post('conversations/:id/status')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiOperation({
    summary: "Change a conversation's status",
    description:
      'Open, pending, snoozed (until a future time) or resolved (with READ level and question type for the statistics); the change shows on the timeline.',
  })
  @ApiProblems(
    [400, 'A snooze without a future time, a resolution without statistics, or invalid input'],
    401,
    403,
    [404, 'No such conversation the caller may see'],
    [409, 'The status machine does not allow this change (`invalid_status_change`, `conversation_closed`)'],
  )
  async changeStatus(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangeStatusDto,
  ): Promise<ConversationDto> {
    await this.visible(me, id);
    return conversationDto(
      await this.conversations.changeStatus(scopeOf(me), id, {
        to: body.status,
        actor: staffActor(me),
        snoozedUntil: body.snoozedUntil,
        readLevel: body.readLevel,
        questionType: body.questionType,
      }),
    );
  }

  @Patch('conversations/:id')
  @ApiOkResponse({ type: ConversationDto })
  @ApiOperation({ summary: 'Change subject, priority or tags', description: 'Each change shows on the timeline.' })
  @ApiProblems(400, 401, 403, [404, 'No such conversation the caller may see'])
  async edit(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EditConversationDto,
  ): Promise<ConversationDto> {
    await this.visible(me, id);
    return conversationDto(
      await this.conversations.edit(scopeOf(me), id, me.agentId, {
        subject: body.subject,
        priority: body.priority,
        tags: body.tags,
      }),
    );
  }

  @Post('conversations/:id/assign')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiOperation({
    summary: 'Assign a conversation',
    description:
      'Give the conversation to an agent of its department, or to nobody (null). Agents take or release it themselves; supervisors and administrators assign anyone who works in its department.',
  })
  @ApiProblems(
    [
      400,
      'The assignee is unknown or does not work in the department (`unknown_assignee`, `assignee_not_in_department`)',
    ],
    401,
    [403, 'The caller may not make this assignment (`assignment_forbidden`, `forbidden`)'],
    [404, 'No such conversation the caller may see'],
    [409, 'Someone else holds it by now, not `ifAssigneeId` (`assignment_changed`)'],
  )
  async assign(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AssignDto,
  ): Promise<ConversationDto> {
    await this.visible(me, id);
    return conversationDto(
      await this.conversations.assign(scopeOf(me), id, staffActor(me), body.assigneeId ?? null, {
        ifAssigneeId: body.ifAssigneeId,
      }),
    );
  }

  @Post('conversations/:id/transfer')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationDto })
  @ApiOperation({
    summary: 'Transfer a conversation to another department',
    description:
      "Moves it to the other department's queue with an optional note; the assignee stays only if they work there too.",
  })
  @ApiProblems(400, 401, 403, [404, 'No such conversation the caller may see, or no such department'])
  async transfer(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TransferDto,
  ): Promise<ConversationDto> {
    await this.visible(me, id);
    return conversationDto(
      await this.conversations.transfer(scopeOf(me), id, staffActor(me), body.departmentId, { note: body.note }),
    );
  }

  @Post('conversations/:id/replies')
  @ApiCreatedResponse({ type: MessageDto })
  @ApiOperation({
    summary: 'Reply to the reader',
    description:
      "Recorded at once and sent through the conversation's channel by the outbox (email: threaded, with attachments); its delivery state follows on the message.",
  })
  @ApiProblems(
    [400, 'An empty reply or invalid input (`empty_message`)'],
    401,
    403,
    [404, 'No such conversation, or an attachment not of this conversation'],
    [
      409,
      'The conversation is closed, or an attachment rides on another message already (`conversation_closed`, `attachment_in_use`)',
    ],
  )
  async reply(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TextDto,
  ): Promise<MessageDto> {
    await this.visible(me, id);
    const message = await this.conversations.reply(scopeOf(me), id, me.agentId, body.text, body.attachmentIds);
    return messageDto(message, await this.attachments.ofMessages(scopeOf(me), [message.id]));
  }

  @Post('conversations/:id/notes')
  @ApiCreatedResponse({ type: NoteDto })
  @ApiOperation({
    summary: 'Add an internal note',
    description:
      'Staff only, never sent to the reader; it may carry attachments. `@` and a colleague’s sign-in address, or its ' +
      'part before the @ when that is unique in the library (`@maria`, `@maria@library.org`), mentions them: each ' +
      'active member of staff named who may see the conversation gets a mention (GET /mentions) and `mention.created` ' +
      'on their socket. Handles that mention nobody (unknown, ambiguous, someone who may not see the conversation, ' +
      'the author) are listed in `notMentioned`.',
  })
  @ApiProblems(
    [400, 'An empty note or invalid input (`empty_message`)'],
    401,
    403,
    [404, 'No such conversation, or an attachment not of this conversation'],
    [409, 'An attachment rides on another message already (`attachment_in_use`)'],
  )
  async note(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TextDto,
  ): Promise<NoteDto> {
    await this.visible(me, id);
    const note = await this.mentions.note(scopeOf(me), id, me.agentId, body.text, body.attachmentIds);
    const files = await this.attachments.ofMessages(scopeOf(me), [note.message.id]);
    return { ...messageDto(note.message, files, note.mentions), notMentioned: note.notMentioned };
  }
}
