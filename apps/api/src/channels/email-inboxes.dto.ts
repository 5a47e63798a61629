import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** What every mail server connection has; IMAP adds its folder handling. */
export class MailServerDto {
  @ApiPropertyOptional({ example: 'mail.library.org' }) @IsOptional() @IsString() @Length(1, 253) host?: string;
  @ApiPropertyOptional({ example: 993 }) @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  @ApiPropertyOptional({ description: 'TLS from the start (993, 465); false: STARTTLS when offered' })
  @IsOptional()
  @IsBoolean()
  secure?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 320) user?: string;
  @ApiPropertyOptional({ description: 'Write-only; omit to keep the stored one' })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  password?: string;
}

export class ImapSettingsDto extends MailServerDto {
  @ApiPropertyOptional({ default: 'INBOX' }) @IsOptional() @IsString() @Length(1, 200) folder?: string;
  @ApiPropertyOptional({ enum: ['none', 'flag', 'move'], default: 'flag' })
  @IsOptional()
  @IsIn(['none', 'flag', 'move'])
  processed?: 'none' | 'flag' | 'move';
  @ApiPropertyOptional({ description: 'Folder for processed mail when processed is "move"' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  moveTo?: string;
  @ApiPropertyOptional({ default: 60 }) @IsOptional() @IsInt() @Min(5) @Max(3600) pollSeconds?: number;
}

export class SmtpSettingsDto extends MailServerDto {}

export class UpdateEmailInboxDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsUUID() defaultDepartmentId?: string | null;
  @ApiPropertyOptional({ example: 'ask@library.org' }) @IsOptional() @IsEmail() @MaxLength(320) address?: string;
  @ApiPropertyOptional({ example: 'Riverside Library — Ask a Librarian' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fromName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) signature?: string;
  @ApiPropertyOptional({ description: 'Acknowledge genuine new conversations (rate-limited per sender)' })
  @IsOptional()
  @IsBoolean()
  acknowledge?: boolean;
  @ApiPropertyOptional({ type: ImapSettingsDto, nullable: true, description: 'null removes IMAP' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ImapSettingsDto)
  imap?: ImapSettingsDto | null;
  @ApiPropertyOptional({ type: SmtpSettingsDto, nullable: true, description: 'null removes outbound SMTP' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpSettingsDto)
  smtp?: SmtpSettingsDto | null;
}

export class CreateEmailInboxDto extends UpdateEmailInboxDto {
  @ApiProperty() @IsString() @Length(1, 200) declare name: string;
  @ApiProperty({ example: 'ask@library.org' }) @IsEmail() @MaxLength(320) declare address: string;
}

class ImapViewDto {
  @ApiProperty() host!: string;
  @ApiProperty() port!: number;
  @ApiProperty() secure!: boolean;
  @ApiProperty() user!: string;
  @ApiProperty() folder!: string;
  @ApiProperty({ enum: ['none', 'flag', 'move'] }) processed!: string;
  @ApiProperty({ nullable: true, type: String }) moveTo!: string | null;
  @ApiProperty() pollSeconds!: number;
}

class SmtpViewDto {
  @ApiProperty() host!: string;
  @ApiProperty() port!: number;
  @ApiProperty() secure!: boolean;
  @ApiProperty({ nullable: true, type: String }) user!: string | null;
}

export class MailboxStatusDto {
  @ApiProperty({
    enum: ['not_configured', 'unclaimed', 'connecting', 'connected', 'retrying', 'failing', 'stale'],
    description:
      '`not_configured`: no IMAP. `unclaimed`: no worker serves the mailbox yet (or the last one stopped). ' +
      '`connecting`: a worker is signing in for the first time. `connected`: the last round read the folder. ' +
      '`retrying`: it failed and is tried again with back-off. `failing`: five failures in a row or two minutes ' +
      'of failures (supervisors and administrators hear `mailbox.health-changed`). `stale`: the serving worker ' +
      'stopped renewing its lease (it may have died); the other fields are its last report.',
  })
  state!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the reported state began' })
  since!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'The last time a worker was connected and listed the folder, with mail or without',
  })
  lastFetchAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "The last failure in the IMAP server's or the network's words (never a password); kept after recovery",
  })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastErrorAt!: string | null;
  @ApiProperty({ description: 'Failures in a row; 0 after a successful round' }) consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the current failures began' })
  failingSince!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Messages in the folder after the desk’s cursor (UIDs not yet handed to the desk), counted at the last ' +
      'listing and lowered as batches are stored: a backlog, not the unread count',
  })
  waiting!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The worker process holding the mailbox (host:pid:tag)' })
  worker!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: "Until when the worker's lease runs" })
  leaseUntil!: string | null;
}

export class EmailInboxDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) defaultDepartmentId!: string | null;
  @ApiProperty() address!: string;
  @ApiProperty({ nullable: true, type: String }) fromName!: string | null;
  @ApiProperty({ nullable: true, type: String }) signature!: string | null;
  @ApiProperty() acknowledge!: boolean;
  @ApiProperty({ type: ImapViewDto, nullable: true }) imap!: ImapViewDto | null;
  @ApiProperty({ type: SmtpViewDto, nullable: true }) smtp!: SmtpViewDto | null;
  @ApiProperty({ description: 'Passwords are never shown; this says whether one is stored' }) imapPasswordSet!: boolean;
  @ApiProperty() smtpPasswordSet!: boolean;
  @ApiProperty({ type: MailboxStatusDto, description: 'Reading the mailbox over IMAP, as the worker last reported it' })
  mailbox!: MailboxStatusDto;
}
