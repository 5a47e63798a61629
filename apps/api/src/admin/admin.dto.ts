import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsInt,
  Max,
  Min,
  ValidateNested,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { AGENT_ROLES, type AgentRole, PRESENCES, type Presence } from '@readerdesk/staff';

const CODE = /^[a-z0-9][a-z0-9-]*$/;

export class UpdateLibraryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ example: 'US' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'defaultCountry must be an ISO 3166 alpha-2 code such as US' })
  defaultCountry?: string;
  @ApiPropertyOptional({ example: 'en' }) @IsOptional() @IsString() @Length(2, 35) defaultLanguage?: string;
  @ApiPropertyOptional({ example: 'America/New_York' }) @IsOptional() @IsString() timeZone?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() keepHistoryByDefault?: boolean;
  @ApiPropertyOptional({
    type: [String],
    example: ['https://www.example.org'],
    description: 'Web origins whose pages may call the API (CORS); replaces the list',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  allowedOrigins?: string[];
}

export class CreateBranchDto {
  @ApiProperty({ example: 'central' })
  @Matches(CODE, { message: 'code must be lower-case letters, digits and "-"' })
  @MaxLength(32)
  code!: string;
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) @IsString() timeZone!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) address?: string;
}
export class UpdateBranchDto extends PartialType(CreateBranchDto) {}

export class CreateDepartmentDto {
  @ApiProperty({ example: 'reference' })
  @Matches(CODE, { message: 'code must be lower-case letters, digits and "-"' })
  @MaxLength(32)
  code!: string;
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    description:
      "A branch of the library: the department follows its opening hours unless it has its own; null: the library's default branch",
  })
  @IsOptional()
  @IsUUID()
  branchId?: string | null;
}
export class UpdateDepartmentDto extends PartialType(CreateDepartmentDto) {}

export class CreateAgentDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @Length(1, 200) displayName!: string;
  @ApiProperty({ enum: AGENT_ROLES }) @IsIn(AGENT_ROLES) role!: AgentRole;
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(1024) password!: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayUnique() @IsUUID('all', { each: true }) departmentIds!: string[];
}

export class BranchDto {
  @ApiProperty() id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ nullable: true, type: String }) address!: string | null;
}

export class DepartmentDto {
  @ApiProperty() id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Its branch; null: the library's default branch" })
  branchId!: string | null;
}

export class LibraryDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() defaultCountry!: string;
  @ApiProperty() defaultLanguage!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty() keepHistoryByDefault!: boolean;
  @ApiProperty({ type: [String] }) allowedOrigins!: string[];
}

export class SetPresenceDto {
  @ApiProperty({ enum: PRESENCES }) @IsIn(PRESENCES) presence!: Presence;
}

export class CapacityDto {
  @ApiProperty() @IsInt() @Min(0) @Max(10) voice!: number;
  @ApiProperty() @IsInt() @Min(0) @Max(10) video!: number;
  @ApiProperty() @IsInt() @Min(0) @Max(50) chat!: number;
  @ApiProperty() @IsInt() @Min(0) @Max(100) sms!: number;
  @ApiProperty() @IsInt() @Min(0) @Max(500) email!: number;
}

export class SkillsDto {
  @ApiProperty({ type: [String], example: ['en', 'fa'] })
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  @Length(2, 35, { each: true })
  languages!: string[];
  @ApiProperty({ type: [String], example: ['local-history'] })
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  subjects!: string[];
}

export class UpdateAgentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) displayName?: string;
  @ApiPropertyOptional({ enum: AGENT_ROLES }) @IsOptional() @IsIn(AGENT_ROLES) role?: AgentRole;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ type: CapacityDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CapacityDto)
  capacity?: CapacityDto;
  @ApiPropertyOptional({ type: SkillsDto }) @IsOptional() @ValidateNested() @Type(() => SkillsDto) skills?: SkillsDto;
  @ApiPropertyOptional({ type: [String], description: 'The whole new set of departments' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  departmentIds?: string[];
}

export class PresenceChangeDto {
  @ApiProperty({ enum: PRESENCES }) from!: Presence;
  @ApiProperty({ enum: PRESENCES }) to!: Presence;
  @ApiProperty() at!: Date;
}

export class AgentDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: PRESENCES }) presence!: Presence;
  @ApiProperty({ type: CapacityDto }) capacity!: CapacityDto;
  @ApiProperty({ type: SkillsDto }) skills!: SkillsDto;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: AGENT_ROLES }) role!: AgentRole;
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: [String] }) departmentIds!: string[];
}
