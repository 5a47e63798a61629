import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import {
  CANNED_REPLY_SHORTCUT_MAX,
  CANNED_REPLY_TEXT_MAX,
  CANNED_REPLY_TITLE_MAX,
  PLACEHOLDERS,
} from '@readerdesk/canned-replies';

const notNull = (_: object, value: unknown) => value !== null;
const NOT_BLANK = /\S/;
/** Letters, digits and `.`, `_`, `-` inside: what a console's `/hours` can type. */
const SHORTCUT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const SHORTCUT_MESSAGE = 'shortcut must be letters and digits, with ".", "_" or "-" inside (such as "hours")';
const TEXT_DESCRIPTION = `Plain text; placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;

export class CannedReplyBodyDto {
  @ApiProperty({ maxLength: CANNED_REPLY_TITLE_MAX, example: 'Opening hours' })
  @IsString()
  @MaxLength(CANNED_REPLY_TITLE_MAX)
  @Matches(NOT_BLANK, { message: 'title must not be empty' })
  title!: string;

  @ApiProperty({
    maxLength: CANNED_REPLY_TEXT_MAX,
    description: TEXT_DESCRIPTION,
    example: 'Dear {{reader.first_name}}, we are open 9 to 5. {{agent.first_name}}, {{library.name}}',
  })
  @IsString()
  @MaxLength(CANNED_REPLY_TEXT_MAX)
  @Matches(NOT_BLANK, { message: 'text must not be empty' })
  text!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: CANNED_REPLY_SHORTCUT_MAX,
    example: 'hours',
    description: 'Unique per library and department, kept in lower case',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsString()
  @Length(1, CANNED_REPLY_SHORTCUT_MAX)
  @Matches(SHORTCUT, { message: SHORTCUT_MESSAGE })
  shortcut?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The department whose staff use it; null or absent: the whole library (administrators only)',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsUUID()
  departmentId?: string | null;
}

/** Any of the fields, as for a new one (`shortcut: null` removes it, `departmentId: null` makes it library-wide). */
export class CannedReplyPatchDto extends PartialType(CannedReplyBodyDto) {}

export class ListCannedRepliesQuery {
  @ApiPropertyOptional({ description: 'Part of the title or shortcut, any case', maxLength: CANNED_REPLY_TITLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, CANNED_REPLY_TITLE_MAX)
  q?: string;

  @ApiPropertyOptional({
    description: 'Only this department’s replies and the library-wide ones (what its conversations may use)',
  })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class CannedReplyDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) shortcut!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null: library-wide' }) departmentId!: string | null;
  @ApiProperty({
    type: [String],
    description: 'Tags in the text that are not placeholders (a typo?); rendering leaves them as written',
  })
  unknownPlaceholders!: string[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class RenderedCannedReplyDto {
  @ApiProperty({ description: 'Plain text, placeholders filled for the conversation' }) text!: string;
  @ApiProperty({ type: [String], description: 'Tags that are not placeholders, left as written' })
  unknown!: string[];
  @ApiProperty({
    type: [String],
    enum: PLACEHOLDERS,
    description: 'Placeholders the conversation has no value for (a reader without a name), left as written',
  })
  missing!: string[];
}
