import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
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
import {
  CHANNELS,
  type Channel,
  PRIORITIES,
  type Priority,
  QUESTION_TYPES,
  type QuestionType,
} from '@readerdesk/conversations';
import { CONDITION_FIELDS, type ConditionField } from '@readerdesk/routing';

export class RuleConditionDto {
  @ApiProperty({
    enum: CONDITION_FIELDS,
    description:
      'inbox, channel, chosenDepartment, topic, questionType, language (the contact’s, else the reader’s preferred one), ' +
      'readerCategory, readerHomeBranch: operators `in` / `notIn` with `values`; keywords: `anyOf` (whole words or ' +
      'phrases in the subject or text, case and accents ignored); openNow: `is` with `value`',
  })
  @IsIn(CONDITION_FIELDS)
  field!: ConditionField;
  @ApiProperty({ example: 'in' }) @IsString() @MaxLength(16) op!: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  values?: string[];
  @ApiPropertyOptional({ description: 'For openNow' }) @IsOptional() @IsBoolean() value?: boolean;
}

export class RequiredSkillsDto {
  @ApiPropertyOptional({ type: [String], description: 'BCP 47 languages the agent must answer in' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 35, { each: true })
  languages?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Subjects the agent must know' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  subjects?: string[];
}

export class RuleActionsDto {
  @ApiPropertyOptional({ description: 'A department of the library' }) @IsOptional() @IsUUID() departmentId?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional({ type: [String], description: 'Added to the conversation’s tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  tags?: string[];
  @ApiPropertyOptional({
    description: 'An SLA policy; policies are not built yet, so only the UUID form is checked',
  })
  @IsOptional()
  @IsUUID()
  slaPolicyId?: string;
  @ApiPropertyOptional({ type: RequiredSkillsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequiredSkillsDto)
  requiredSkills?: RequiredSkillsDto;
}

export class CreateRoutingRuleDto {
  @ApiProperty({ example: 'Inter-library loan requests' }) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ description: '0-based place in the order; absent: last', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  position?: number;
  @ApiProperty({ type: [RuleConditionDto], description: 'All must hold; none: the rule takes every contact' })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RuleConditionDto)
  conditions!: RuleConditionDto[];
  @ApiProperty({ type: RuleActionsDto, description: 'At least one' })
  @ValidateNested()
  @Type(() => RuleActionsDto)
  actions!: RuleActionsDto;
}

export class UpdateRoutingRuleDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(10_000) position?: number;
  @ApiPropertyOptional({ type: [RuleConditionDto], description: 'The whole new list' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RuleConditionDto)
  conditions?: RuleConditionDto[];
  @ApiPropertyOptional({ type: RuleActionsDto, description: 'The whole new set' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RuleActionsDto)
  actions?: RuleActionsDto;
}

export class RoutingRuleOrderDto {
  @ApiProperty({ type: [String], description: 'Every rule of the library, each once, in the new order' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids!: string[];
}

export class RoutingRuleDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() position!: number;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: [RuleConditionDto] }) conditions!: RuleConditionDto[];
  @ApiProperty({ type: RuleActionsDto }) actions!: RuleActionsDto;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class DryRunReaderDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) category?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() homeBranchId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(35) preferredLanguage?: string;
}

/** What the reader chose before writing; also accepted by POST /inboxes/:id/messages as `routing`. */
export class RoutingHintsDto {
  @ApiPropertyOptional({ description: 'A department the reader picked (a form’s menu, an IVR branch)' })
  @IsOptional()
  @IsUUID()
  chosenDepartmentId?: string;
  @ApiPropertyOptional({ description: 'A topic the reader picked' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topic?: string;
  @ApiPropertyOptional({ description: 'BCP 47; else the reader’s preferred language' })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  language?: string;
  @ApiPropertyOptional({ enum: QUESTION_TYPES }) @IsOptional() @IsIn(QUESTION_TYPES) questionType?: QuestionType;
}

export class DryRunDto {
  @ApiProperty() @IsUUID() inboxId!: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'Default: the inbox’s' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) subject?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100_000) text?: string;
  @ApiPropertyOptional({ type: RoutingHintsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoutingHintsDto)
  routing?: RoutingHintsDto;
  @ApiPropertyOptional({ type: DryRunReaderDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DryRunReaderDto)
  reader?: DryRunReaderDto;
  @ApiPropertyOptional({ description: 'When the contact arrives (openNow); default now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  at?: Date;
}

export class DryRunRuleRefDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class DryRunDecisionDto {
  @ApiProperty({ nullable: true, type: String }) departmentId!: string | null;
  @ApiProperty({
    enum: ['rule', 'inbox_default'],
    description: 'Where the department comes from: the matching rule, or the inbox’s default',
  })
  source!: string;
  @ApiProperty({ enum: PRIORITIES }) priority!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ nullable: true, type: String }) slaPolicyId!: string | null;
  @ApiProperty({ nullable: true, type: RequiredSkillsDto }) requiredSkills!: RequiredSkillsDto | null;
}

export class DryRunVerdictDto {
  @ApiProperty() ruleId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() matched!: boolean;
  @ApiPropertyOptional({ enum: ['disabled', 'condition'], description: 'Why it did not match' }) reason?: string;
  @ApiPropertyOptional({ description: 'The first condition that failed: its index and field' })
  failed?: { index: number; field: string };
}

export class DryRunResultDto {
  @ApiProperty({ nullable: true, type: DryRunRuleRefDto, description: 'The first matching rule; null: none' })
  rule!: DryRunRuleRefDto | null;
  @ApiProperty({ type: DryRunDecisionDto }) decision!: DryRunDecisionDto;
  @ApiProperty({ type: [DryRunVerdictDto], description: 'Every rule in order with its own verdict' })
  rules!: DryRunVerdictDto[];
}
