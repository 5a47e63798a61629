import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  UNPROCESSED_REASONS,
  UNPROCESSED_STATUSES,
  type UnprocessedReason,
  type UnprocessedStatus,
} from '@readerdesk/channels';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** `a,b` or `x=a&x=b`: one list either way. */
const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value;

export class ListUnprocessedMailQuery {
  @ApiPropertyOptional({
    description: 'Comma-separated statuses; default `pending`',
    example: 'pending',
    type: String,
  })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(UNPROCESSED_STATUSES, { each: true })
  status?: UnprocessedStatus[];
  @ApiPropertyOptional({
    description:
      'Comma-separated reasons; default `no_sender,suspected_automatic` (what needs a person). `automatic` is machine mail about nothing the inbox sent or holds.',
    example: 'no_sender,suspected_automatic',
    type: String,
  })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(UNPROCESSED_REASONS, { each: true })
  reason?: UnprocessedReason[];
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class UnprocessedMailDto {
  @ApiProperty() id!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty({ enum: UNPROCESSED_REASONS }) reason!: UnprocessedReason;
  @ApiProperty({ description: 'What decided it, in words' }) reasonText!: string;
  @ApiProperty({ description: "The classifier's category (personal, auto-reply, list, bounce, abuse-report)" })
  category!: string;
  @ApiProperty({ description: 'The Message-ID (synthetic when the mail had none)' }) messageId!: string;
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The From header as read' }) from!: string | null;
  @ApiProperty({ description: 'Bytes of the raw message' }) size!: number;
  @ApiProperty({ description: 'SHA-256 of the raw message (hex)' }) sha256!: string;
  @ApiProperty() receivedAt!: Date;
  @ApiProperty({ enum: UNPROCESSED_STATUSES }) status!: UnprocessedStatus;
  @ApiProperty({ nullable: true, type: String, description: 'Who converted or discarded it' })
  resolvedById!: string | null;
  @ApiProperty({ nullable: true, type: Date }) resolvedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'The conversation it became' })
  conversationId!: string | null;
  @ApiProperty({ description: 'False once discarded: the raw message is removed then' }) rawAvailable!: boolean;
}

export class UnprocessedMailPageDto {
  @ApiProperty({ type: [UnprocessedMailDto] }) items!: UnprocessedMailDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor!: string | null;
}

export class MailboxDto {
  @ApiProperty() name!: string;
  @ApiProperty() address!: string;
}

export class PreviewAttachmentDto {
  @ApiProperty({ nullable: true, type: String }) filename!: string | null;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
}

export class UnprocessedPreviewDto {
  @ApiProperty({ type: MailboxDto, nullable: true }) from!: MailboxDto | null;
  @ApiProperty({ type: [MailboxDto] }) replyTo!: MailboxDto[];
  @ApiProperty({ type: [MailboxDto] }) to!: MailboxDto[];
  @ApiProperty({ type: [MailboxDto] }) cc!: MailboxDto[];
  @ApiProperty() date!: Date;
  @ApiProperty({ description: 'The plain text (derived from the HTML when the mail has no text part)' })
  text!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The HTML body, sanitised for display' })
  html!: string | null;
  @ApiProperty({ type: [PreviewAttachmentDto] }) attachments!: PreviewAttachmentDto[];
}

export class UnprocessedMailDetailDto extends UnprocessedMailDto {
  @ApiProperty({ type: UnprocessedPreviewDto, nullable: true, description: 'null once discarded' })
  preview!: UnprocessedPreviewDto | null;
}

export class ConvertUnprocessedMailDto {
  @ApiPropertyOptional({
    description: "The reader's address: required when the mail has no sender, otherwise it replaces the sender",
    example: 'maria.gonzalez@example.org',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class ConvertedMailDto {
  @ApiProperty() conversationId!: string;
  @ApiProperty({ description: 'False when the mail continued a conversation its headers name' })
  conversationCreated!: boolean;
  @ApiProperty({ type: UnprocessedMailDto }) mail!: UnprocessedMailDto;
}
