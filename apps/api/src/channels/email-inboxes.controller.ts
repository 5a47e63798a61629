import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EmailInboxService } from '@readerdesk/channels';
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
  ) {}

  private dto(inbox: Inbox): EmailInboxDto {
    return {
      id: inbox.id,
      name: inbox.name,
      defaultDepartmentId: inbox.defaultDepartmentId,
      ...this.email.view(inbox),
    };
  }

  @Post('email')
  @ApiOperation({
    summary: 'Connect a mailbox: IMAP to read it and/or mail relayed to the desk over SMTP, SMTP to reply',
  })
  @ApiCreatedResponse({ type: EmailInboxDto })
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateEmailInboxDto): Promise<EmailInboxDto> {
    if (body.defaultDepartmentId) await this.staff.assertDepartmentsExist(scopeOf(me), [body.defaultDepartmentId]);
    return this.dto(await this.email.create(scopeOf(me), body));
  }

  @Get(':id/email')
  @ApiOkResponse({ type: EmailInboxDto })
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<EmailInboxDto> {
    return this.dto(await this.inboxes.get(scopeOf(me), id));
  }

  @Patch(':id/email')
  @ApiOperation({ summary: 'Change a mailbox’s settings; omitted passwords are kept, null removes IMAP or SMTP' })
  @ApiOkResponse({ type: EmailInboxDto })
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateEmailInboxDto,
  ): Promise<EmailInboxDto> {
    if (body.defaultDepartmentId) await this.staff.assertDepartmentsExist(scopeOf(me), [body.defaultDepartmentId]);
    return this.dto(await this.email.update(scopeOf(me), id, body));
  }
}
