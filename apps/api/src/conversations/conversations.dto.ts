import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CHANNELS,
  type Channel,
  CONVERSATION_STATUSES,
  type ConversationStatus,
  MESSAGE_KINDS,
  type MessageKind,
  NOT_MENTIONED_REASONS,
  type NotMentionedReason,
  PRIORITIES,
  type Priority,
  QUESTION_TYPES,
  type QuestionType,
} from '@readerdesk/conversations';
import { ResolveReaderDto } from '../readers/readers.dto';
import { RequiredSkillsDto, RoutingHintsDto } from '../routing/routing-rules.dto';

export class CreateInboxDto {
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() defaultDepartmentId?: string;
}

export class InboxDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) defaultDepartmentId!: string | null;
}

/** An inbound message through the API channel (a library's own integration, a form on its website). */
export class InboundMessageDto extends ResolveReaderDto {
  @ApiProperty({ description: 'Your id for this message; sending it again is harmless' })
  @IsString()
  @Length(1, 255)
  externalId!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) subject?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100_000) text?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500_000) html?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() receivedAt?: Date;
  @ApiPropertyOptional({
    type: RoutingHintsDto,
    description: 'What the reader chose (topic, department, language, question type), for the routing rules',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoutingHintsDto)
  routing?: RoutingHintsDto;
}

export class ChangeStatusDto {
  @ApiProperty({ enum: CONVERSATION_STATUSES }) @IsIn(CONVERSATION_STATUSES) status!: ConversationStatus;
  @ApiPropertyOptional({ description: 'With status snoozed' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  snoozedUntil?: Date;
  @ApiPropertyOptional({ minimum: 1, maximum: 6, description: 'READ scale level; required to resolve' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(6)
  readLevel?: number;
  @ApiPropertyOptional({ enum: QUESTION_TYPES, description: 'Required to resolve' })
  @IsOptional()
  @IsIn(QUESTION_TYPES)
  questionType?: QuestionType;
}

export class EditConversationDto {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  subject?: string | null;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional({
    type: [String],
    description: 'The whole new set of tags; stored trimmed and in lower case, without duplicates',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  tags?: string[];
}

export class AssignDto {
  @ApiProperty({ nullable: true, type: String, description: 'The agent to give it to; null leaves it unassigned' })
  @IsOptional()
  @IsUUID()
  assigneeId!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'Who the caller believes holds it now (null: nobody). When someone else does by now, nothing changes and the ' +
      'answer is 409 `assignment_changed` (read the conversation again to see who); leave it out to assign whatever the state',
  })
  @IsOptional()
  @IsUUID()
  ifAssigneeId?: string | null;
}

export class TransferDto {
  @ApiProperty() @IsUUID() departmentId!: string;
  @ApiPropertyOptional({ description: 'An internal note for the receiving department' })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  note?: string;
}

export class TextDto {
  @ApiProperty() @IsString() @Length(1, 100_000) text!: string;
  @ApiPropertyOptional({
    type: [String],
    description: 'Uploads of this conversation (POST /conversations/{id}/attachments) to send with the message',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];
}

export class AttachmentDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null while an upload waits for its reply' })
  messageId!: string | null;
  @ApiProperty() filename!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'Bytes' }) size!: number;
  @ApiProperty({ description: 'Hex SHA-256 of the bytes' }) sha256!: string;
  @ApiProperty({ description: 'Shown in place in the HTML body (cid:)' }) inline!: boolean;
  @ApiProperty({ nullable: true, type: String }) contentId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class UploadQuery {
  @ApiProperty({ description: 'The file’s name, shown to agents and readers' })
  @IsString()
  @Length(1, 255)
  filename!: string;
}

export class ConversationSlaDto {
  @ApiProperty({ nullable: true, type: String, description: 'The policy the clocks run against; null: no SLA' })
  policyId!: string | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'Null while the clock is paused, stopped or without a target',
  })
  firstResponseDueAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) nextResponseDueAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) resolutionDueAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) firstResponseBreachedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) nextResponseBreachedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) resolutionBreachedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Number, description: 'On the SLA clock (business hours, or 24/7)' })
  firstResponseBusinessMs!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Wall-clock time' }) firstResponseMs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) resolutionBusinessMs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) resolutionMs!: number | null;
}

export class ConversationDto {
  @ApiProperty() id!: string;
  @ApiProperty() number!: number;
  @ApiProperty() readerId!: string;
  @ApiProperty() inboxId!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
  @ApiProperty({ nullable: true, type: String }) departmentId!: string | null;
  @ApiProperty({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) status!: ConversationStatus;
  @ApiProperty({ enum: PRIORITIES }) priority!: Priority;
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ nullable: true, type: Number }) readLevel!: number | null;
  @ApiProperty({ nullable: true, enum: QUESTION_TYPES }) questionType!: QuestionType | null;
  @ApiProperty({ nullable: true, type: String, description: 'The routing rule that chose the department, if one did' })
  routingRuleId!: string | null;
  @ApiProperty({ nullable: true, type: RequiredSkillsDto, description: 'Skills an agent needs to take it (routing)' })
  requiredSkills!: RequiredSkillsDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'The SLA policy routing chose' })
  slaPolicyId!: string | null;
  @ApiProperty({ nullable: true, type: Date }) snoozedUntil!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) firstResponseAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) waitingSince!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) resolvedAt!: Date | null;
  @ApiProperty() lastMessageAt!: Date;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: ConversationSlaDto }) sla!: ConversationSlaDto;
}

/** A member of staff an internal note mentions (`@maria` or `@maria@library.org` in its text). */
export class MentionedAgentDto {
  @ApiProperty() agentId!: string;
  @ApiProperty() displayName!: string;
}

export class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: MESSAGE_KINDS }) kind!: MessageKind;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The channel’s id of the message: Message-ID, CallSid, MessageSid or the client’s id',
  })
  externalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) authorAgentId!: string | null;
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ nullable: true, type: String }) text!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Sanitised HTML' }) html!: string | null;
  @ApiProperty({
    type: Object,
    description: 'Event details and channel metadata; `droppedAttachments` lists files that could not be kept',
  })
  data!: Record<string, unknown>;
  @ApiProperty({ type: [AttachmentDto] }) attachments!: AttachmentDto[];
  @ApiProperty({
    type: [MentionedAgentDto],
    description: 'Who an internal note mentions (each was notified); empty for every other message',
  })
  mentions!: MentionedAgentDto[];
  @ApiProperty() createdAt!: Date;
}

export class NotMentionedDto {
  @ApiProperty({ description: 'As written after the @, in lower case' }) handle!: string;
  @ApiProperty({
    enum: NOT_MENTIONED_REASONS,
    description:
      '`unknown`: no active member of staff of the library has that address or local part; `ambiguous`: several ' +
      'do (write the whole address); `cannot_see`: they may not see this conversation, so they were not told; ' +
      '`self`: the author; `too_many`: past the 20 handles a note may mention',
  })
  reason!: NotMentionedReason;
}

/** A note as recorded, with the handles of its text that mention nobody. */
export class NoteDto extends MessageDto {
  @ApiProperty({ type: [NotMentionedDto] }) notMentioned!: NotMentionedDto[];
}

export class IngestResultDto {
  @ApiProperty({ type: ConversationDto }) conversation!: ConversationDto;
  @ApiProperty({ type: MessageDto }) message!: MessageDto;
  @ApiProperty() duplicate!: boolean;
}

export class IdDto {
  @ApiProperty() id!: string;
}

/** What a caller that may not read conversations (an ingest-only API key) learns of the contact it posted. */
export class IngestReceiptDto {
  @ApiProperty({ type: IdDto }) conversation!: IdDto;
  @ApiProperty({ type: IdDto }) message!: IdDto;
  @ApiProperty() duplicate!: boolean;
}

/** YYYY-MM-DD, or a date-time with seconds optional and a Z or ±hh:mm offset. */
export const DATE_OR_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The orders a list comes in; each pages on its own key, so a cursor belongs to one of them. */
export const CONVERSATION_SORTS = ['activity', 'due', 'waiting', 'newest'] as const;
export type ConversationSort = (typeof CONVERSATION_SORTS)[number];

/** `a,b,c` in a query string as a list (a repeated parameter arrives as an array already). */
const commaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value;

export class ListConversationsQuery {
  @ApiPropertyOptional({
    description: 'One status, or several separated by commas (`new,open,pending`: what still needs the desk)',
    example: 'new,open,pending',
  })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(CONVERSATION_STATUSES.length)
  @IsIn(CONVERSATION_STATUSES, { each: true })
  status?: ConversationStatus[];
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: Channel;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional() @IsOptional() @IsUUID() departmentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() readerId?: string;
  @ApiPropertyOptional({ description: 'An agent’s id, or `none` for conversations nobody holds' })
  @IsOptional()
  @ValidateIf((_, v) => v !== 'none')
  @IsUUID()
  assigneeId?: string;
  @ApiPropertyOptional({
    enum: CONVERSATION_SORTS,
    default: 'activity',
    description:
      '`activity`: most recent message first; `due`: the soonest SLA due time first (the response due, else the ' +
      'resolution due; none last); `waiting`: the reader waiting longest first (not waiting last); `newest`: the ' +
      'most recently opened first',
  })
  @IsOptional()
  @IsIn(CONVERSATION_SORTS)
  sort?: ConversationSort;
  @ApiPropertyOptional({
    description:
      'Full-text search: conversations with a message whose subject or text holds all these words ' +
      '(any order, case-insensitive; PostgreSQL full-text search, SQLite FTS5)',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  q?: string;
  @ApiPropertyOptional({ description: 'Conversations with this tag' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tag?: string;
  @ApiPropertyOptional({
    description: 'Created on or after: a date (YYYY-MM-DD, from its start in UTC) or a date-time with offset',
    example: '2026-11-01',
  })
  @IsOptional()
  @Matches(DATE_OR_DATE_TIME, { message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  from?: string;
  @ApiPropertyOptional({
    description: 'Created on or before: a date (YYYY-MM-DD, the whole day in UTC) or a date-time with offset',
    example: '2026-11-30',
  })
  @IsOptional()
  @Matches(DATE_OR_DATE_TIME, { message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' })
  to?: string;
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

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto] }) items!: ConversationDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor!: string | null;
}

/** How many conversations each of the console's queue views holds now, for the caller. */
export class ConversationCountsDto {
  @ApiProperty({ description: 'Open (new, open, pending) and held by the caller' }) mine!: number;
  @ApiProperty({ description: 'Open and held by nobody' }) unassigned!: number;
  @ApiProperty({ description: 'Open, in the departments the caller may see (and triage)' }) departments!: number;
  @ApiProperty({ description: 'Every conversation the caller may see, whatever its status' }) all!: number;
}
