import { ApiProblems } from '@readerdesk/platform';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EmailInboxService, MailboxStatusService } from '@readerdesk/channels';
import { Inbox, InboxService } from '@readerdesk/conversations';
import { CurrentStaff, RequireRole, scopeOf, StaffDirectory, type StaffPrincipal } from '@readerdesk/staff';
import { CreateEmailInboxDto, EmailInboxDto, UpdateEmailInboxDto } from './email-inboxes.dto';

/** Mailboxes connected by administrators. Passwords go in, never out. */
@ApiTags('inboxes')
@ApiBearerAuth()
@RequireRole('administrator')
@Controller('inboxes')
export class EmailInboxesController {
  constructor(
    private readonly email: EmailInboxService,
    private readonly inboxes: InboxService,
    private readonly staff: StaffDirectory,
    private readonly mailboxes: MailboxStatusService,
  ) {}

  private async dto(inbox: Inbox): Promise<EmailInboxDto> {
    return {
      id: inbox.id,
      name: inbox.name,
      defaultDepartmentId: inbox.defaultDepartmentId,
      ...this.email.view(inbox),
      mailbox: await this.mailboxes.of(inbox),
    };
  }

  @Post('email')
  @ApiCreatedResponse({ type: EmailInboxDto })
  @ApiOperation({
    summary: 'Connect a mailbox',
    description:
      'Administrators only: IMAP to read it and/or mail relayed to the desk over SMTP, and SMTP to reply. Passwords are sealed at rest and never returned.',
  })
  @ApiProblems(
    [400, 'Invalid address, IMAP or SMTP settings (`invalid_address`, `invalid_imap`, `invalid_smtp`)'],
    401,
    403,
    [404, 'The default department is not in the caller’s library'],
    [409, 'Another inbox has that address (`address_taken`)'],
  )
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateEmailInboxDto): Promise<EmailInboxDto> {
    if (body.defaultDepartmentId) await this.staff.assertDepartmentsExist(scopeOf(me), [body.defaultDepartmentId]);
    return this.dto(await this.email.create(scopeOf(me), body));
  }

  @Get(':id/email')
  @ApiOkResponse({ type: EmailInboxDto })
  @ApiOperation({
    summary: "A mailbox's settings and state",
    description:
      'Administrators only: address, sender name, signature, acknowledgement and the IMAP and SMTP settings, without passwords; ' +
      'and `mailbox`, how reading it over IMAP goes (connected, retrying, failing…, the last error, the last successful fetch, ' +
      'the messages waiting, the worker serving it), read from the database, so any api process answers it.',
  })
  @ApiProblems(
    401,
    403,
    [404, 'No such inbox in the caller’s library'],
    [409, 'The inbox is not an email inbox (`not_email_inbox`)'],
  )
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<EmailInboxDto> {
    return this.dto(await this.inboxes.get(scopeOf(me), id));
  }

  @Patch(':id/email')
  @ApiOkResponse({ type: EmailInboxDto })
  @ApiOperation({
    summary: "Change a mailbox's settings",
    description: 'Administrators only. Omitted passwords are kept; null removes IMAP or SMTP.',
  })
  @ApiProblems(
    [400, 'Invalid address, IMAP or SMTP settings (`invalid_address`, `invalid_imap`, `invalid_smtp`)'],
    401,
    403,
    [404, 'No such inbox in the caller’s library'],
    [409, 'Not an email inbox, or another inbox has that address (`not_email_inbox`, `address_taken`)'],
  )
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateEmailInboxDto,
  ): Promise<EmailInboxDto> {
    if (body.defaultDepartmentId) await this.staff.assertDepartmentsExist(scopeOf(me), [body.defaultDepartmentId]);
    return this.dto(await this.email.update(scopeOf(me), id, body));
  }
}
